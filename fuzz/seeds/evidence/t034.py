from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_foreign_key('fk_credentials_user', 'credentials', 'organizations', ['user_id'], ['id'])
