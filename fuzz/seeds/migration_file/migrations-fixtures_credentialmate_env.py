"""Alembic environment for CredentialMate.

The database URL comes from `-x url=...`, else the DATABASE_URL environment
variable, else `sqlalchemy.url` in alembic.ini.
"""
import os

from alembic import context
from sqlalchemy import engine_from_config, pool

config = context.config


def database_url():
    url = context.get_x_argument(as_dictionary=True).get("url")
    url = url or os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise SystemExit("set DATABASE_URL or pass -x url=... (see alembic.ini)")
    return url


def run_migrations_offline():
    context.configure(url=database_url(), literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    section = config.get_section(config.config_ini_section, {})
    section["sqlalchemy.url"] = database_url()
    connectable = engine_from_config(section, prefix="sqlalchemy.", poolclass=pool.NullPool)
    with connectable.connect() as connection:
        context.configure(connection=connection, target_metadata=None)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
