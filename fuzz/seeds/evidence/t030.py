from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_check_constraint('ck_users_superuser_role', 'users', "NOT is_superuser OR role = 'superuser'")
