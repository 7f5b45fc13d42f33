from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.add_column(table_name="users", column=sa.Column(name='email_bounced', type_=sa.Boolean, server_default=sa.false(), nullable=False))
