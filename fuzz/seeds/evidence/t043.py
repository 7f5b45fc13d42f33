from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_index(op.f('ix_users_role'), 'users', ['role'])
