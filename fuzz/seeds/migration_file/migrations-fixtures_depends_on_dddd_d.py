"""revision dddd

Revision ID: dddd
Revises: bbbb
Create Date: 2025-12-24 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'dddd'
down_revision = 'bbbb'
branch_labels = None
depends_on = 'cccc'


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
