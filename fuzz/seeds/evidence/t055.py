from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.drop_column('users', 'gone')
    op.add_column('users', sa.Column('nope', sa.Text()))
