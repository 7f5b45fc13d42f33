from alembic import op
import sqlalchemy as sa

def upgrade():
    """Docstrings, comments and pass are fine."""
    # a comment
    pass
    logger.info("starting")
    _logger.info("starting")
    op.execute("UPDATE users SET role = 'superuser' WHERE is_superuser")
    conn = op.get_bind()
    for table in ("a", "b"):
        op.drop_table(table)
    if conn.dialect.name == "postgresql":
        op.drop_column("users", "x")
    _helper()
    op.bulk_insert(users_table, [{"id": 1}])
    op.add_column("users", sa.Column(name_from_somewhere(), sa.Integer()))
    with open("x") as f:
        op.drop_table("t")
    op.drop_column("users", "y")
