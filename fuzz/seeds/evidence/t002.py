
from alembic import op
import sqlalchemy as sa

TABLE = "users"
SCHEMA: str = 'auth'
COLUMN = TABLE

def upgrade() -> None:
    op.add_column(TABLE, sa.Column("email_complaint", sa.Boolean(), nullable=True), schema=SCHEMA)
    op.drop_column(TABLE, COLUMN, schema="auth")
