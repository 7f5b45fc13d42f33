from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.alter_column(table_name='users', column_name='email', existing_nullable=True, nullable=False, type_=sa.VARCHAR(length=320), new_column_name='email_address', server_default=None)
