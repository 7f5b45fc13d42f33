
from alembic import op
import sqlalchemy as sa

def upgrade():
    with op.batch_alter_table("users", schema="auth") as batch_op:
        batch_op.add_column(sa.Column("email_bounced", sa.Boolean(), nullable=False))
        batch_op.drop_column("legacy")
        batch_op.alter_column("email", nullable=False)
        batch_op.create_index("ix_users_email", ["email"], unique=True)
        batch_op.drop_index("ix_old")
        batch_op.create_unique_constraint("uq_users_email", ["email"])
        batch_op.create_check_constraint("ck_x", "x > 0")
        batch_op.create_foreign_key("fk_users_org", "orgs", ["org_id"], ["id"])
        batch_op.create_primary_key("pk_users", ["id"])
        batch_op.drop_constraint("ck_old", type_="check")
        op.drop_table("other")
    with op.batch_alter_table(table_name="orgs") as b:
        b.drop_column(column_name="x")
