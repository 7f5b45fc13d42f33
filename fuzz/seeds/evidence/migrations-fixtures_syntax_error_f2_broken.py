"""revision f2

Revision ID: f2
Revises: f1
Create Date: 2025-12-22 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'f2'
down_revision = 'f1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("t", sa.Column("x", sa.Integer()


def downgrade() -> None:
    pass
