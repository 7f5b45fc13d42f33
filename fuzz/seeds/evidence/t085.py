from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    with op.batch_alter_table('users') as batch_op:
        batch_op.add_column(sa.Column('email_complaint', sa.Boolean(), nullable=False))
        batch_op.drop_column('legacy')
