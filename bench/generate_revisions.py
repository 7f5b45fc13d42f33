#!/usr/bin/env python3
"""Write a deterministic Alembic project with N revisions (default 10,000).

Usage: generate_revisions.py OUT_DIR [N]

The history is a main line that forks every 100 revisions into two branches
of 10 revisions each, merged back by a merge revision; every 500th revision
also depends_on an earlier one. Files follow Alembic's default template with
a small real `op.*` body, so parse cost is realistic.
"""
import hashlib
import os
import sys

TEMPLATE = '''"""{message}

Revision ID: {rev}
Revises: {revises}
Create Date: 2025-12-{day:02d} {hour:02d}:{minute:02d}:00.000000

"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision: str = {rev!r}
down_revision: Union[str, Sequence[str], None] = {down!r}
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = {depends!r}


def upgrade() -> None:
    op.add_column("table_{table}", sa.Column("col_{n}", sa.Integer(), nullable=True))
    op.create_index("ix_table_{table}_col_{n}", "table_{table}", ["col_{n}"])


def downgrade() -> None:
    op.drop_index("ix_table_{table}_col_{n}", table_name="table_{table}")
    op.drop_column("table_{table}", "col_{n}")
'''


def rev_id(n):
    return hashlib.sha1(f"driftcheck-bench-{n}".encode()).hexdigest()[:12]


def main():
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    versions = os.path.join(out, "versions")
    os.makedirs(versions, exist_ok=True)
    with open(os.path.join(out, "alembic.ini"), "w") as f:
        f.write("[alembic]\nscript_location = %(here)s\npath_separator = os\n")
    with open(os.path.join(out, "env.py"), "w") as f:
        f.write("raise SystemExit('benchmark project: only `alembic heads` is meant to run here')\n")

    heads = []  # current line(s)
    for n in range(total):
        rev = rev_id(n)
        cycle = n % 100
        if not heads:
            down = None
        elif cycle == 21 and len(heads) == 2:
            down = tuple(heads)  # merge the two branches
        elif len(heads) == 2:
            down = heads[n % 2]  # alternate between the branches
        else:
            down = heads[0]
        depends = rev_id(n - 250) if n % 500 == 499 else None
        if isinstance(down, tuple):
            heads = [rev]
        elif len(heads) == 2:
            heads[n % 2] = rev
        elif cycle == 1 and n > 1:
            heads = [rev, heads[0]]  # fork: this revision and its sibling share a parent
        else:
            heads = [rev]
        with open(os.path.join(versions, f"{rev}_step_{n}.py"), "w") as f:
            f.write(TEMPLATE.format(
                message=f"step {n}", rev=rev, down=down, depends=depends,
                revises=", ".join(down) if isinstance(down, tuple) else (down or ""),
                day=1 + n % 28, hour=n % 24, minute=n % 60, table=n % 97, n=n,
            ))


if __name__ == "__main__":
    main()
