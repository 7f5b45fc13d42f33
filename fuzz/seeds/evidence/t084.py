from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    with op.batch_alter_table("samples") as batch:
        batch.alter_column("reading", type_=sa.types.Float(precision=53), nullable=False)
        batch.add_column(sa.Column("is_nan", sa.Boolean(), nullable=False, server_default="0"))
        batch.drop_constraint(constraint_name="samples_pk", type_="primary")
        batch.create_primary_key(constraint_name="samples_pk", columns=["sample_key", "is_nan"])
