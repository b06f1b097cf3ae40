"""One snapshot for a whole export on PostgreSQL: every table is read in a single read-only
REPEATABLE READ transaction, so the tables agree with each other (a log added while the export
runs is in none of its files, not in ratings but missing from practice_logs) and the cursors
stream instead of being computed in full first.

Outside a transaction Django declares its server-side cursors WITH HOLD, and PostgreSQL
computes the whole result into a temporary store before the first row. Inside one, the planner
aims at the first 10 % of rows (cursor_tuple_fraction) and picks nested loops that are slow for
the whole; the export reads all of them, so it says 1.0. JIT compiling pays off for one long
query, not for the export's many batches: off.

The export's progress is written to the default database as it goes (research.jobs renews its
lease there), so a read-only transaction cannot be on that connection: when the export reads
from the default database, it reads through a connection of its own to the same database,
closed at the end. From the replica it reads on the replica's connection. SQLite (tests, a
development machine) and a caller's own transaction (a test case) are read as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper

SETTINGS = ("SET LOCAL cursor_tuple_fraction = 1.0", "SET LOCAL jit = off")


def tune(connection: BaseDatabaseWrapper, *, begin: bool) -> None:
    with connection.cursor() as cursor:
        if begin:  # the transaction's first statement, or PostgreSQL refuses it
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        for statement in SETTINGS:
            cursor.execute(statement)


@contextmanager
def one_snapshot(using: str) -> Iterator[str]:
    """The database alias to read the export from, inside one snapshot while the block runs."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield using
        return
    if connection.in_atomic_block:
        # The caller's transaction (and snapshot) already: only the planner's settings.
        tune(connection, begin=False)
        yield using
        return
    alias = own_connection(using) if using == DEFAULT_DB_ALIAS else using
    try:
        with transaction.atomic(using=alias):
            tune(connections[alias], begin=True)
            yield alias
    finally:
        if alias != using:
            connections[alias].close()
            del connections[alias]
            del connections.settings[alias]


def own_connection(using: str) -> str:
    """An alias for a second connection to the database `using` names."""
    alias = f"{using}-research-export"
    connections.settings[alias] = dict(connections[using].settings_dict)
    return alias
