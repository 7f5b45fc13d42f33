"""Helpers shared by migrations; defines no revision."""


def batch_size():
    return 500
