from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_index(index_name='ix_audit_events_created_at', table_name='audit_events', columns=['created_at'])
