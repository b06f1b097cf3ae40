"""The restore drill: restore a backup into a fresh database and check the copy.

A backup is only as good as the last restore that worked, so the drill does the whole
restore (never into the live database) and then asks what an operator would: is the schema
the one this code runs (migrations), is the audit trail unbroken (verify_audit), and is every
row there (the counts in the manifest, taken in the backup's own snapshot)?
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from bridgework.audit.trail import verify
from bridgework.backups import manifest, postgres, schema, sqlite
from bridgework.backups.aliases import database_named


class Refused(Exception):
    """The backup cannot be restored by this Bridgework at all; nothing was restored."""


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str


@dataclass
class Report:
    backup: Path
    restored_into: str = ""
    kept: bool = False
    checks: list[Check] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return bool(self.checks) and all(check.passed for check in self.checks)

    def lines(self) -> list[str]:
        lines = [f"Restore drill of {self.backup}", f"  restored into {self.restored_into}"]
        lines += [
            f"  {'ok    ' if check.passed else 'FAILED'} {check.name}: {check.detail}"
            for check in self.checks
        ]
        if self.kept:
            lines.append(f"  kept: {self.restored_into} (--keep); remove it when done")
        lines.append("The backup restores." if self.passed else "The backup does NOT restore.")
        return lines


def run(backup: Path, *, keep: bool = False) -> Report:
    held = read_or_refuse(backup)
    report = Report(backup, kept=keep)
    digest = manifest.sha256_of(backup)
    report.checks.append(
        Check("checksum", True, "the file is the one the manifest describes")
        if digest == held.sha256
        else Check("checksum", False, f"sha256 {digest}, the manifest says {held.sha256}")
    )
    with fresh_copy(backup, keep=keep) as (where, copy):
        report.restored_into = where
        report.checks += [migrations_check(copy), audit_check(copy), counts_check(held, copy)]
        if copy.vendor == "sqlite":
            problems = sqlite.integrity_problems(Path(where))
            report.checks.append(Check("integrity", not problems, "; ".join(problems) or "ok"))
    return report


def read_or_refuse(backup: Path) -> manifest.Manifest:
    """The manifest, once it says this code can restore the backup here."""
    if not backup.is_file():
        raise Refused(f"{backup} is not a file. Expected a backup from backup_database.")
    try:
        held = manifest.read(backup)
    except manifest.ManifestError as exc:
        raise Refused(str(exc)) from None
    vendor = connections["default"].vendor
    if held.vendor != vendor:
        raise Refused(
            f"The backup is of a {held.vendor} database, this Bridgework runs on {vendor}. "
            f"Expected DATABASE_URL to name a {held.vendor} database for the drill."
        )
    try:
        schema.refuse_newer(schema.flattened(held.migrations), schema.known_here())
    except schema.NewerSchema as exc:
        raise Refused(str(exc)) from None
    return held


@contextmanager
def fresh_copy(backup: Path, *, keep: bool) -> Iterator[tuple[str, BaseDatabaseWrapper]]:
    """The backup restored into a database made for the drill, dropped afterwards unless
    `keep`. Yields where it is (a file or a database name) and a connection to it."""
    live = connections["default"]
    stamp = timezone.now().strftime("%Y%m%d%H%M%S")
    name = f"bridgework_drill_{stamp}_{secrets.token_hex(3)}"
    if live.vendor == "sqlite":
        folder = Path(tempfile.mkdtemp(prefix="bridgework_drill_"))
        where = str(folder / f"{name}.sqlite3")
    else:
        postgres.create_database(live, name)
        where = name
    try:
        if live.vendor == "sqlite":
            sqlite.restore(backup, Path(where))
        else:
            postgres.restore(backup, live.settings_dict, name)
        with database_named(where) as copy:
            yield where, copy
    finally:
        if not keep:
            forget(live, where)


def forget(live: BaseDatabaseWrapper, where: str) -> None:
    """Remove the drill's copy: its folder (SQLite, with its -wal and -shm) or its database."""
    if live.vendor == "sqlite":
        shutil.rmtree(Path(where).parent)
    else:
        postgres.drop_database(live, where)


def migrations_check(copy: BaseDatabaseWrapper) -> Check:
    applied = schema.flattened(manifest.migrations_of(copy))
    known = schema.known_here()
    try:
        schema.refuse_newer(applied, known)
    except schema.NewerSchema as exc:
        return Check("migrations", False, str(exc))
    missing = schema.not_applied(applied, known)
    if missing:
        named = ", ".join(f"{app} {name}" for app, name in missing)
        return Check(
            "migrations",
            False,
            f"the backup lacks {named}: it is from an older Bridgework; run "
            "`manage.py migrate` on the restored database before using it",
        )
    return Check("migrations", True, f"all {len(applied)} applied, as this code has them")


def audit_check(copy: BaseDatabaseWrapper) -> Check:
    broken = list(verify(using=copy.alias))
    if broken:
        return Check("verify_audit", False, "; ".join(str(link) for link in broken))
    return Check("verify_audit", True, "every hash chain is intact")


def counts_check(held: manifest.Manifest, copy: BaseDatabaseWrapper) -> Check:
    restored = manifest.counts_of(copy)
    wrong = [
        f"{table}: {held.counts.get(table, 'no table')} at backup time, "
        f"{restored.get(table, 'no table')} restored"
        for table in sorted(set(held.counts) | set(restored))
        if held.counts.get(table) != restored.get(table)
    ]
    if wrong:
        return Check("row counts", False, "; ".join(wrong))
    rows = sum(restored.values())
    return Check("row counts", True, f"{len(restored)} tables, {rows} rows, as at backup time")
