from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

def upgrade():
    op.create_table(
        "credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), sa.ForeignKey("users.id"), nullable=False),
        sa.Column("kind", sa.String(length=50), server_default="license"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credentials")),
        sa.UniqueConstraint("user_id", "kind", name="uq_credentials_user_kind"),
        sa.CheckConstraint("kind <> ''", name="ck_credentials_kind"),
        sa.ForeignKeyConstraint(["user_id"], ["auth.users.id"], name="fk_credentials_user", ondelete="CASCADE"),
        schema="app",
    )
