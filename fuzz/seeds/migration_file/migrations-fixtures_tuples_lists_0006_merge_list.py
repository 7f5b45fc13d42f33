"""revision 0006

Revision ID: 0006
Revises: 0004, 0005
Create Date: 2025-12-24 10:00:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = ['0004', '0005']
branch_labels = None
depends_on = ['0002']


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
