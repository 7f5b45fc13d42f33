from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_table('orgs', sa.Column('id', sa.Integer, primary_key=True))
