"""SQLite backups through SQLite's online backup API, page by page under SQLite's own
locking: a consistent copy of a live database, WAL included. A plain file copy of a database
in WAL mode can miss the pages still in its -wal file, or catch them half-written."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from django.db.backends.base.base import BaseDatabaseWrapper

from bridgework.backups.files import new_private_file


def backup(connection: BaseDatabaseWrapper, out: Path) -> None:
    """Copy the database behind `connection` into `out` (new and empty: backup.take)."""
    source = sqlite3.connect(connection.settings_dict["NAME"])
    target = sqlite3.connect(out)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def restore(backup_file: Path, target: Path) -> None:
    """Copy a backup into the new database file `target` (never over an existing one)."""
    new_private_file(target)
    source = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
    finally:
        copy.close()
        source.close()


def integrity_problems(database: Path) -> list[str]:
    """SQLite's own check of every page and index; empty when the file is sound."""
    # sqlite3's own `with` only commits; closing() closes, so no -wal or -shm is left behind.
    with closing(sqlite3.connect(f"file:{database}?mode=ro", uri=True)) as check:
        rows = check.execute("PRAGMA integrity_check").fetchall()
    return [] if rows == [("ok",)] else [str(row[0]) for row in rows]
