"""Which database research reads come from: the streaming replica when DATABASE_REPLICA_URL
is set (settings.DATABASES["replica"]), so exports never load the primary; else the one
database."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import connections

# How long an export waits for the replica to replay what the primary had written when it
# began; a replica further behind than this is reported instead of read.
CATCH_UP_SECONDS = 30.0


class ReplicaBehind(Exception):
    pass


def research_database() -> str:
    return "replica" if "replica" in settings.DATABASES else "default"


def wait_for_replica(using: str, *, seconds: float = CATCH_UP_SECONDS) -> None:
    """Wait until the replica `using` has replayed everything the primary had written when the
    export began: a consent withdrawn a moment ago must not be missed because the replica
    still holds it open. Asks the primary one question (its WAL position), no client data."""
    if using == "default":
        return
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        written = cursor.fetchone()[0]
    deadline = time.monotonic() + seconds
    with connections[using].cursor() as cursor:
        while True:
            cursor.execute("SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [written])
            if cursor.fetchone()[0]:
                return
            if time.monotonic() > deadline:
                raise ReplicaBehind(
                    f"The research replica is more than {seconds:.0f} s behind the main "
                    "database, so this export was not made from it. Try again in a few minutes."
                )
            time.sleep(0.05)  # polling the replica's replay position, not guessing a delay
