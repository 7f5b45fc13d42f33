from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.drop_constraint(constraint_name='ck_users_role', table_name='users', type_='check')
