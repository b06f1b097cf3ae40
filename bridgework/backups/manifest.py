"""The manifest written beside every backup (FILE.manifest.json): what the database held when
the backup was taken — its applied migrations and the row count of every table — and the
file's checksum. The restore drill compares the restored copy with it."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = 1


class ManifestError(Exception):
    """The manifest is missing or unreadable: the drill has nothing to compare with."""


@dataclass(frozen=True)
class Manifest:
    vendor: str  # "sqlite" or "postgresql": which restore the file needs
    made_at: str
    migrations: dict[str, list[str]]  # app label → applied migration names, sorted
    counts: dict[str, int]  # table → rows
    sha256: str
    format: int = FORMAT


def path_of(backup: Path) -> Path:
    return backup.with_name(backup.name + ".manifest.json")


def migrations_of(connection: BaseDatabaseWrapper) -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


def counts_of(connection: BaseDatabaseWrapper) -> dict[str, int]:
    """The rows of every table in the database, Django's or not. A full count, not the
    planner's estimate: the drill must catch a single missing row."""
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            # The name comes from the database's own catalogue, quoted; nothing from input.
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
            counts[table] = int(cursor.fetchone()[0])
    return counts


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_from(connection: BaseDatabaseWrapper) -> Manifest:
    """What `connection` holds, read in the backup's own snapshot (the caller's transaction
    on PostgreSQL, the copy itself on SQLite). The checksum comes once the file is closed."""
    return Manifest(
        vendor=connection.vendor,
        made_at=timezone.now().isoformat(timespec="seconds"),
        migrations=migrations_of(connection),
        counts=counts_of(connection),
        sha256="",
    )


def write(manifest: Manifest, backup: Path) -> Path:
    path = path_of(backup)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(asdict(manifest), file, indent=1, sort_keys=True)
    return path


def read(backup: Path) -> Manifest:
    path = path_of(backup)
    try:
        held: dict[str, Any] = json.loads(path.read_text())
    except OSError as exc:
        raise ManifestError(
            f"The manifest {path} cannot be read ({exc.strerror}). Expected the file "
            "`manage.py backup_database` wrote beside the backup."
        ) from None
    except ValueError as exc:
        raise ManifestError(f"The manifest {path} is not JSON ({exc}).") from None
    if held.get("format") != FORMAT:
        raise ManifestError(
            f"The manifest {path} has format {held.get('format')!r}. Expected {FORMAT}."
        )
    try:
        return Manifest(**held)
    except TypeError as exc:
        raise ManifestError(f"The manifest {path} lacks a part ({exc}).") from None
