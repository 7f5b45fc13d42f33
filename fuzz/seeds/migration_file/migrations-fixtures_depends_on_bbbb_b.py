"""revision bbbb

Revision ID: bbbb
Revises: aaaa
Create Date: 2025-12-24 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = 'bbbb'
down_revision = 'aaaa'
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
