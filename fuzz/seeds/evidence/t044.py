from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_primary_key('pk_t', 't', ['a', 'b'], schema='s')
