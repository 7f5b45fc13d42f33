from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_check_constraint(constraint_name='ck_users_superuser_role', table_name='users', condition=sa.text("NOT is_superuser OR role = 'superuser'"))
