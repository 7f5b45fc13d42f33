"""add credentials batch_id

Revision ID: c3d9e8f7a6b5
Revises: b7e4f2a9c1d3
Create Date: 2025-12-28 15:02:37.441208

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "c3d9e8f7a6b5"
down_revision: Union[str, None] = "b7e4f2a9c1d3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.add_column("credentials", sa.Column("batch_id", sa.String(36), nullable=True))
    op.create_index("ix_credentials_batch_id", "credentials", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_credentials_batch_id", table_name="credentials")
    op.drop_column("credentials", "batch_id")
