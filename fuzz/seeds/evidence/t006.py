"""sync superuser role constraint

Revision ID: 20251230_1900
Revises: 20251230_1700
"""
from alembic import op
import sqlalchemy as sa

revision = "20251230_1900"
down_revision = "20251230_1700"


def upgrade() -> None:
    op.execute("UPDATE users SET role = 'superuser' WHERE is_superuser AND role <> 'superuser'")
    op.drop_constraint("ck_users_role", "users", type_="check")
    op.create_check_constraint("ck_users_role", "users", "role IN ('user', 'admin', 'superuser')")
    op.create_check_constraint("ck_users_superuser_role", "users", "NOT is_superuser OR role = 'superuser'")


def downgrade() -> None:
    op.drop_constraint("ck_users_superuser_role", "users", type_="check")
