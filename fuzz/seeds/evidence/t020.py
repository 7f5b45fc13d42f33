from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.add_column('users', sa.Column('email_bounced', sa.Boolean(), nullable=True))
    op.alter_column('users', 'email_bounced', nullable=False)
