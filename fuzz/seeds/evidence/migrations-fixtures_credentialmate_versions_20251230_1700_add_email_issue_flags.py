"""add email issue flags to users

Revision ID: 20251230_1700
Revises: 20251230_1643
Create Date: 2025-12-30 17:00:41.230511

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "20251230_1700"
down_revision: Union[str, None] = "20251230_1643"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("users", sa.Column("email_bounced", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("users", sa.Column("email_complaint", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("users", sa.Column("email_issue_detected_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "email_issue_detected_at")
    op.drop_column("users", "email_complaint")
    op.drop_column("users", "email_bounced")
