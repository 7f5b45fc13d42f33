"""revision s2

Revision ID: s2
Revises: s1
Create Date: 2025-12-22 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 's2'
down_revision = 's1'
branch_labels = None
depends_on = 'data'


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
