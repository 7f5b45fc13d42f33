"""add audit events created_at index

Revision ID: d4f0a1b2c3e8
Revises: b7e4f2a9c1d3
Create Date: 2025-12-29 10:25:14.006391

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa

# revision identifiers, used by Alembic.
revision: str = "d4f0a1b2c3e8"
down_revision: Union[str, None] = "b7e4f2a9c1d3"
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_audit_events_created_at", "audit_events", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_audit_events_created_at", table_name="audit_events")
