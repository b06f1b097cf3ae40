"""A second database beside the live one, under an alias of its own: the restored copy the
drill checks, or (SQLite) the backup file whose rows the manifest counts. The alias is not in
the settings, so no router, command or page can reach it; only the drill's checks use it, and
nothing can write the live database through it."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import load_backend


@contextmanager
def database_named(name: str) -> Iterator[BaseDatabaseWrapper]:
    """A connection to the database `name` on the live database's server (PostgreSQL) or
    file (SQLite), with the live connection's settings otherwise."""
    live = connections["default"].settings_dict
    if name == live["NAME"]:
        raise ValueError(f"{name} is the live database; the drill never opens it as a copy.")
    alias = f"backup_{secrets.token_hex(4)}"
    backend = load_backend(live["ENGINE"])
    connections[alias] = backend.DatabaseWrapper({**live, "NAME": name}, alias)
    try:
        yield connections[alias]
    finally:
        connections[alias].close()
        del connections[alias]
