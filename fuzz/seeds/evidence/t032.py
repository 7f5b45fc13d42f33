from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_foreign_key('fk', 'c', 'u', ['u_id'], ['id'], source_schema='app', referent_schema='auth')
