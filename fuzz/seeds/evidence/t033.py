from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_foreign_key('fk_c_user', 'credentials', 'users', ['user_id'], ['id'], ondelete='CASCADE')
