from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_foreign_key(constraint_name='fk_c_user', source_table='credentials', referent_table='users', local_cols=['user_id'], remote_cols=['id'], ondelete='CASCADE')
