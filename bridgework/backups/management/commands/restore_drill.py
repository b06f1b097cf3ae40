"""`manage.py restore_drill FILE [--keep]`: restore a backup into a fresh database and check
it (bridgework.backups.drill). Exits non-zero when the backup does not restore."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgework.backups import drill
from bridgework.backups.files import BackupFileError
from bridgework.backups.postgres import ClientProgramError


class Command(BaseCommand):
    help = (
        "Restore a backup from backup_database into a new database (never the live one), "
        "then check its migrations, its audit trail and its row counts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="the backup file")
        parser.add_argument(
            "--keep", action="store_true", help="keep the restored database to look at"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = drill.run(options["backup"], keep=options["keep"])
        except drill.Refused as exc:
            raise CommandError(f"Refused: {exc}") from None
        except (BackupFileError, ClientProgramError) as exc:
            raise CommandError(f"The restore failed: {exc}") from None
        for line in report.lines():
            self.stdout.write(line)
        if not report.passed:
            failed = [check.name for check in report.checks if not check.passed]
            raise CommandError(f"The restore drill failed: {', '.join(failed)}.")
