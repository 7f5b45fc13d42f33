from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_index('ux', 'users', ['email', 'org'], unique=True, schema='auth', postgresql_where=sa.text('x'))
