"""Shared ids; a helper module, not a migration."""
PARENT = "u1"
