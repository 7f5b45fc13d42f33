from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.execute('SELECT 1')
    op.drop_column('users', 'gone')
