
from alembic import op

def downgrade():
    op.drop_column("users", "email_bounced")

def upgrade():
    op.drop_column("users", "legacy")

def helper():
    op.drop_table("x")
