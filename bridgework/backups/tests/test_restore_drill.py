"""The restore drill on the database the suite runs on: SQLite by default, PostgreSQL under
`make test-postgres` (pg_dump and pg_restore from PATH or /usr/lib/postgresql/*/bin)."""

from __future__ import annotations

import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.backups import manifest
from bridgework.backups.drill import forget

pytestmark = pytest.mark.django_db(transaction=True)  # pg_dump reads only committed rows


def some_audit_rows(count: int = 3) -> None:
    for number in range(count):
        trail.record(
            actor_id=None,
            actor_role="system",
            action=AccessEvent.Action.VIEW,
            object_type="client",
            object_id=number,
            clinic_id=None,
        )


def backed_up(tmp_path: Path) -> Path:
    out = tmp_path / "bridgework.backup"
    call_command("backup_database", "--out", str(out), stdout=StringIO())
    return out


def drill(backup: Path, *options: str) -> str:
    report = StringIO()
    try:
        call_command("restore_drill", str(backup), *options, stdout=report)
    except CommandError as exc:
        raise DrillFailed(report.getvalue(), str(exc)) from None
    return report.getvalue()


class DrillFailed(Exception):
    def __init__(self, report: str, error: str) -> None:
        super().__init__(error)
        self.report, self.error = report, error


def edit_manifest(backup: Path, **changes: object) -> None:
    path = manifest.path_of(backup)
    held = json.loads(path.read_text())
    path.write_text(json.dumps(held | changes))


def restored_into(report: str) -> str:
    found = re.search(r"restored into (\S+)", report)
    assert found, report
    return found.group(1)


def drill_copy_exists(where: str) -> bool:
    if connection.vendor == "sqlite":
        return Path(where).exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [where])
        return cursor.fetchone() is not None


def test_a_backup_restores_into_a_fresh_database_that_passes_every_check(tmp_path: Path) -> None:
    some_audit_rows()
    live_rows = AccessEvent.objects.count()
    report = drill(backed_up(tmp_path))
    assert report.splitlines()[-1] == "The backup restores.", report
    for check in ("checksum", "migrations", "verify_audit", "row counts"):
        assert f"ok     {check}:" in report
    assert "FAILED" not in report
    where = restored_into(report)
    assert where != connection.settings_dict["NAME"]
    assert not drill_copy_exists(where)  # dropped afterwards
    assert AccessEvent.objects.count() == live_rows  # the live trail as it was


def test_the_manifest_counts_every_table_as_it_was_at_backup_time(tmp_path: Path) -> None:
    some_audit_rows(2)
    rows_then = AccessEvent.objects.count()
    backup = backed_up(tmp_path)
    some_audit_rows(5)  # after the backup: not in it
    held = manifest.read(backup)
    assert held.counts[AccessEvent._meta.db_table] == rows_then
    assert held.vendor == connection.vendor
    assert "0001_initial" in held.migrations["audit"]


def test_a_backup_and_its_manifest_are_readable_by_their_owner_only(tmp_path: Path) -> None:
    backup = backed_up(tmp_path)
    assert backup.stat().st_mode & 0o077 == 0
    assert manifest.path_of(backup).stat().st_mode & 0o077 == 0


def test_a_backup_never_overwrites_an_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "keep-me"
    existing.write_text("an older backup")
    with pytest.raises(CommandError, match="exists already"):
        call_command("backup_database", "--out", str(existing), stdout=StringIO())
    assert existing.read_text() == "an older backup"


def test_it_refuses_a_backup_from_a_newer_schema_naming_the_migration(tmp_path: Path) -> None:
    backup = backed_up(tmp_path)
    held = manifest.read(backup)
    newer = held.migrations | {"research": [*held.migrations["research"], "0099_from_later"]}
    edit_manifest(backup, migrations=newer)
    with pytest.raises(DrillFailed) as refused:
        drill(backup)
    assert refused.value.error == (
        "Refused: The backup's schema is newer than this Bridgework: research 0099_from_later "
        "is not known here; restore it with that version or newer."
    )
    assert "restored into" not in refused.value.report  # nothing was restored


def test_a_tampered_audit_row_in_the_backup_fails_the_drill(tmp_path: Path) -> None:
    some_audit_rows()
    with connection.cursor() as cursor:  # what an intruder with the database could do
        cursor.execute(
            f"UPDATE {AccessEvent._meta.db_table} SET object_id = %s WHERE chain = %s AND seq = 2",
            ["someone-else", "platform"],
        )
    with pytest.raises(DrillFailed) as failed:
        drill(backed_up(tmp_path))
    assert "FAILED verify_audit: chain platform, row #2: its contents no longer match" in (
        failed.value.report
    )
    assert failed.value.error == "The restore drill failed: verify_audit."
    assert "ok     row counts:" in failed.value.report


def test_a_row_count_that_differs_from_the_backup_time_fails_the_drill(tmp_path: Path) -> None:
    some_audit_rows()
    rows = AccessEvent.objects.count()
    backup = backed_up(tmp_path)
    held = manifest.read(backup)
    table = AccessEvent._meta.db_table
    edit_manifest(backup, counts=held.counts | {table: rows + 1})
    with pytest.raises(DrillFailed) as failed:
        drill(backup)
    expected = f"FAILED row counts: {table}: {rows + 1} at backup time, {rows} restored"
    assert expected in failed.value.report
    assert "FAILED checksum" not in failed.value.report  # the file itself is as written


def test_a_changed_backup_file_fails_its_checksum(tmp_path: Path) -> None:
    backup = backed_up(tmp_path)
    edit_manifest(backup, sha256="0" * 64)
    with pytest.raises(DrillFailed) as failed:
        drill(backup)
    assert "FAILED checksum: sha256 " in failed.value.report


def test_a_backup_without_its_manifest_is_refused(tmp_path: Path) -> None:
    backup = backed_up(tmp_path)
    manifest.path_of(backup).unlink()
    with pytest.raises(DrillFailed) as refused:
        drill(backup)
    assert refused.value.error.startswith(f"Refused: The manifest {backup}.manifest.json cannot")


def test_keep_leaves_the_restored_copy_for_a_look(tmp_path: Path) -> None:
    report = drill(backed_up(tmp_path), "--keep")
    where = restored_into(report)
    try:
        assert drill_copy_exists(where)
        assert f"kept: {where} (--keep)" in report
    finally:
        forget(connection, where)
