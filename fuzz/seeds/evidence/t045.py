from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_primary_key(constraint_name='pk_t', table_name='t', columns=['a', 'b'], schema='s')
