"""`manage.py backup_database --out FILE`: a backup of the live database and its manifest.

A command rather than only a recipe: it connects with the settings' own connection (the same
host, user, password file and TLS options as the app), and it counts every table in the very
snapshot the backup holds (pg_dump --snapshot; on SQLite, the copy itself), which a shell
pg_dump cannot — the restore drill needs those counts to prove no row went missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgework.backups import backup
from bridgework.backups.files import BackupFileError
from bridgework.backups.postgres import ClientProgramError


class Command(BaseCommand):
    help = (
        "Back up the database (SQLite: its online backup API; PostgreSQL: pg_dump -Fc) to a "
        "new file, with FILE.manifest.json beside it for restore_drill."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, type=Path, help="the new backup file")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        try:
            held, manifest_path = backup.take(out)
        except (BackupFileError, ClientProgramError) as exc:
            raise CommandError(str(exc)) from None
        rows = sum(held.counts.values())
        self.stdout.write(
            f"Backed up {len(held.counts)} tables ({rows} rows) to {out}; manifest "
            f"{manifest_path}. Encrypt both before they leave this machine "
            "(docs/operations.md)."
        )
