from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_unique_constraint(constraint_name='uq_users_email', table_name='users', columns=['email'])
