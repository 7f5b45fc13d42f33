revision = "init_is_not_a_migration"
down_revision = None
