"""Print Alembic's own view of a migrations directory as JSON.

Usage: alembic_revision_map.py (--ini ALEMBIC_INI | --dir VERSIONS_DIR)

driftcheck's tests compare their graph with this (tests/alembic_crosscheck.rs).

Output: {"ok": true, "heads": [...], "branch_heads": [...], "bases": [...],
         "revisions": {id: {"down_revisions": [...], "depends_on": [...]}}}
or, when Alembic refuses the directory: {"ok": false, "error": "<exception class>", "message": "..."}.
"""
import json
import sys
import warnings

from alembic.config import Config
from alembic.script import ScriptDirectory


def script_directory(argv):
    kind, path = argv[1], argv[2]
    if kind == "--ini":
        return ScriptDirectory.from_config(Config(path))
    if kind == "--dir":
        return ScriptDirectory(path, version_locations=[path])
    raise SystemExit(__doc__)


def main(argv):
    warnings.simplefilter("ignore")  # duplicate ids and helper modules only warn
    try:
        script = script_directory(argv)
        revision_map = script.revision_map
        heads = sorted(r.revision for r in revision_map.get_revisions("heads"))
        branch_heads = sorted(revision_map.heads)
        bases = sorted(revision_map.bases)
        revisions = {
            rev.revision: {
                "down_revisions": sorted(rev._versioned_down_revisions),
                "depends_on": sorted(rev._resolved_dependencies),
            }
            for rev in script.walk_revisions("base", "heads")
        }
    except Exception as error:  # the class name is the verdict
        print(json.dumps({"ok": False, "error": type(error).__name__, "message": str(error)}))
        return
    print(json.dumps({"ok": True, "heads": heads, "branch_heads": branch_heads,
                      "bases": bases, "revisions": revisions}))


if __name__ == "__main__":
    main(sys.argv)
