from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.alter_column('users', 'email', nullable=False, type_=sa.String(320), new_column_name='email_address', server_default=None, existing_type=sa.String(255))
