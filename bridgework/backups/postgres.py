"""PostgreSQL backups with pg_dump's custom format, restored with pg_restore.

The client programs connect with the settings' own connection (host, user, TLS options from
DATABASE_URL): the options go in a conninfo string, the password only through PGPASSWORD, so
it never shows in the process list.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from psycopg.conninfo import make_conninfo

from bridgework.lib.database import DJANGO_OPTIONS


class ClientProgramError(Exception):
    pass


def program(name: str) -> str:
    """pg_dump or pg_restore: on PATH, else the newest of Debian's /usr/lib/postgresql/*/bin.
    It must be at least as new as the server (pg_dump refuses an older one itself)."""
    found = shutil.which(name)
    if found:
        return found
    versions = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version_of)
    if versions:
        return versions[-1]
    raise ClientProgramError(
        f"{name} is not on PATH nor in /usr/lib/postgresql/*/bin. Expected PostgreSQL's client "
        "programs (Debian: apt-get install postgresql-client)."
    )


def version_of(path: str) -> int:
    part = Path(path).parent.parent.name
    return int(part) if part.isdigit() else 0


def conninfo(settings: dict[str, Any], name: str) -> str:
    """The libpq connection string of the database `name`, without the password."""
    parts = {"host": settings["HOST"], "port": settings["PORT"], "user": settings["USER"]}
    parts |= {
        key: value
        for key, value in settings.get("OPTIONS", {}).items()
        if key not in DJANGO_OPTIONS
    }
    kept = {key: str(value) for key, value in parts.items() if value not in ("", None)}
    return make_conninfo(dbname=name, **kept)


def run(command: list[str], settings: dict[str, Any]) -> None:
    environment = dict(os.environ)
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    done = subprocess.run(  # noqa: S603 - the program's path and our own arguments, no shell
        command, env=environment, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ClientProgramError(
            f"{Path(command[0]).name} failed ({done.returncode}): {done.stderr.strip()}"
        )


@contextmanager
def snapshot(connection: BaseDatabaseWrapper) -> Iterator[str]:
    """A repeatable-read transaction whose snapshot pg_dump shares (--snapshot): the counts
    read in it are the rows the dump holds, however busy the database is meanwhile."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        yield str(cursor.fetchone()[0])


def dump(connection: BaseDatabaseWrapper, snapshot_id: str, out: Path) -> None:
    settings = connection.settings_dict
    run(
        [
            program("pg_dump"),
            "--format=custom",
            f"--snapshot={snapshot_id}",
            f"--file={out}",
            f"--dbname={conninfo(settings, settings['NAME'])}",
        ],
        settings,
    )


def restore(backup_file: Path, settings: dict[str, Any], name: str) -> None:
    """Restore into the empty database `name`. No owners or grants: the drill's database
    belongs to whoever runs it, and a missing role must not fail the drill."""
    run(
        [
            program("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={conninfo(settings, name)}",
            str(backup_file),
        ],
        settings,
    )


def create_database(connection: BaseDatabaseWrapper, name: str) -> None:
    # CREATE DATABASE cannot run in a transaction, nor be parameterised: the name is the
    # drill's own (bridgework_drill_<time>_<hex>), quoted.
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"CREATE DATABASE {connection.ops.quote_name(name)}")


def drop_database(connection: BaseDatabaseWrapper, name: str) -> None:
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)} WITH (FORCE)")
