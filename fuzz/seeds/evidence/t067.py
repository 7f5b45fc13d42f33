from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.drop_index(op.f('ix_a'), table_name='audit_events')
