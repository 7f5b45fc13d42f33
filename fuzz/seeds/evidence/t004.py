"""add email issue flags to users

Revision ID: 20251230_1700
Revises: 20251230_1643
"""
from alembic import op
import sqlalchemy as sa

revision = "20251230_1700"
down_revision = "20251230_1643"


def upgrade() -> None:
    op.add_column("users", sa.Column("email_bounced", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("users", sa.Column("email_complaint", sa.Boolean(), server_default=sa.false(), nullable=False))
    op.add_column("users", sa.Column("email_issue_detected_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "email_issue_detected_at")
    op.drop_column("users", "email_complaint")
    op.drop_column("users", "email_bounced")
