"""merge batch_id and audit index

Revision ID: 394c8c3cbf42
Revises: c3d9e8f7a6b5, d4f0a1b2c3e8
Create Date: 2025-12-30 16:43:09.512877

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
# Renamed from "394c8c3cbf42" to the timestamp scheme after it was applied.
revision: str = "20251230_1643"
down_revision: Union[str, Sequence[str], None] = ("c3d9e8f7a6b5", "d4f0a1b2c3e8")
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
