from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.add_column('users', sa.Column('email_issue_detected_at', sa.DateTime(), nullable=False))
