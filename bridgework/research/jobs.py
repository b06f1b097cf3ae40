"""The worker's side of an export: claim one, make it, let it expire.

The reminder worker gives research a turn in every step (prompts.signals.worker_step,
connected in apps.py): the worker claims the oldest waiting export, makes it and files it as
one zip of datapackage.json and one file per table under settings.RESEARCH_EXPORT_DIR. In
its planning round (worker_housekeeping) it deletes the files of exports past their time.

Two workers never make the same export: a claim is a conditional update of a row that is
still due, so of two workers reaching for it one wins (on PostgreSQL the other skips the
locked row at once). Only the worker still holding an export may record its progress and
outcome. A worker that dies leaves the export's lease to run out; then another takes it and
starts again, and the dead one's half-written work is swept up later (`clear_abandoned_work`).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.lib import leases
from bridgework.research import expiry
from bridgework.research.export.package import ExportRefused, PackageResult, write_package
from bridgework.research.models import Export
from bridgework.research.replica import research_database

log = logging.getLogger("bridgework.worker")

CHANGE = AccessEvent.Action.CHANGE
# Longer than the reminders' two minutes: one table of a large study may take that long
# between two progress reports, and each report renews the lease.
EXPORT_LEASE = timedelta(minutes=10)
# Progress is written at most this often (and whenever a table is done): a report per chunk
# of rows would cost a write per chunk.
REPORT_EVERY = 1.0  # seconds
WORK_PREFIX = "work-"
ABANDONED_AFTER = timedelta(days=1)


# An export that fails because of an error on the server is tried this many times in all,
# after pauses of 2 and 4 minutes (lib.leases.pause_after), then it fails for good.
MAX_ATTEMPTS = 3


def failed_on_the_server(attempts: int) -> str:
    return _(
        "The export could not be made: it failed %(count)d times because of an error on the "
        "server. Tell your clinic's admin, who finds the error in the worker's log; then ask "
        "for the export again."
    ) % {"count": attempts}


def trying_again(attempts: int) -> str:
    return _(
        "Try %(attempt)d of %(most)d failed because of an error on the server; the worker "
        "tries again in a few minutes."
    ) % {"attempt": attempts, "most": MAX_ATTEMPTS}


def language_of(export: Export) -> str:
    """The requester's language: what the messages the researcher reads are written in."""
    person = export.requested_by
    return person.language if person is not None else settings.LANGUAGE_CODE


class LeaseLost(Exception):
    """Another worker has taken the export over: this one stops and records nothing."""


export_dir = expiry.export_dir


def due(now: datetime) -> QuerySet[Export]:
    """Exports waiting (after their pause, when a try failed), and those whose worker let its
    lease run out (it died)."""
    waiting = Q(state=Export.State.WAITING) & (
        Q(next_attempt_at=None) | Q(next_attempt_at__lte=now)
    )
    return Export.objects.filter(waiting | Q(state=Export.State.RUNNING, lease_until__lt=now))


def claim_export(worker: str, *, lease: timedelta = EXPORT_LEASE) -> Export | None:
    """Take the oldest due export for `worker`, or None when there is none (or another
    worker took it first)."""
    now = timezone.now()
    with transaction.atomic():
        export = (
            due(now)
            .select_related("study", "requested_by")
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("requested_at", "pk")
            .first()
        )
        if export is None:
            return None
        fields: dict[str, Any] = {
            "state": Export.State.RUNNING,
            "claimed_by": worker,
            "lease_until": now + lease,
            "started_at": now,
            "tables_done": 0,
            "rows_written": 0,
            "attempts": export.attempts + 1,
            "next_attempt_at": None,
        }
        # Still due? (SQLite locks no rows: of two workers reading it, one updates it.)
        if not due(now).filter(pk=export.pk, attempts=export.attempts).update(**fields):
            return None
        was = trail.snapshot(export)
        for name, value in fields.items():
            setattr(export, name, value)
        trail.changed(None, CHANGE, export, before=was, scope=(export.study.clinic_id, None))
    return export


def held(export: Export, worker: str) -> QuerySet[Export]:
    """The export, if `worker` still holds it."""
    return Export.objects.filter(pk=export.pk, claimed_by=worker, state=Export.State.RUNNING)


def reporter(export: Export, worker: str, lease: timedelta) -> Callable[[int, int], None]:
    """The engine's progress callback: tables done and rows written so far, and a renewed
    lease. Raises LeaseLost when another worker holds the export now."""
    last = {"tables": -1, "at": float("-inf")}

    def report(tables_done: int, rows_written: int) -> None:
        if tables_done == last["tables"] and time.monotonic() - last["at"] < REPORT_EVERY:
            return
        kept = held(export, worker).update(
            tables_done=tables_done,
            rows_written=rows_written,
            lease_until=timezone.now() + lease,
        )
        if not kept:
            raise LeaseLost
        last["tables"], last["at"] = tables_done, time.monotonic()
        export.tables_done, export.rows_written = tables_done, rows_written

    return report


def pack(package: Path, into: Path, fmt: str) -> tuple[str, int]:
    """Zip the package (datapackage.json first) as a file of a random name in `into`;
    returns its name and size. Parquet is compressed already, so it is stored as it is."""
    name = f"{secrets.token_hex(16)}.zip"
    partial = package.parent / f"{name}.part"
    files = sorted(package.iterdir(), key=lambda path: (path.name != "datapackage.json", path))
    with zipfile.ZipFile(partial, "w") as archive:
        for path in files:
            stored = fmt == Export.Format.PARQUET and path.suffix == ".parquet"
            kind = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
            archive.write(path, arcname=path.name, compress_type=kind)
    # The same file system (the work directory is inside `into`): the file appears whole.
    os.replace(partial, into / name)
    return name, (into / name).stat().st_size


def run_export(export: Export, *, worker: str, lease: timedelta = EXPORT_LEASE) -> None:
    """Make a claimed export and record the outcome, its messages in the requester's
    language. A refusal fails it with its message; an error on the server is tried again
    (`retry_or_fail`). Messages are for the researcher (never client data); the log names
    the error's type only, and the worker goes on with its other work."""
    with translation.override(language_of(export)):
        if export.attempts > MAX_ATTEMPTS:  # a worker died on each try: give up
            fail(export, worker, failed_on_the_server(MAX_ATTEMPTS))
            return
        try:
            result, name, size = make_file(export, worker, lease)
        except LeaseLost:
            log.info("export %s: taken over by another worker", export.pk)
            return
        except ExportRefused as refused:
            fail(export, worker, refused.message)
            return
        except Exception as error:
            log.warning("export %s failed with %s", export.pk, type(error).__name__)
            retry_or_fail(export, worker)
            return
        if not finish(export, worker, result, name, size):
            (export_dir() / name).unlink(missing_ok=True)


def retry_or_fail(export: Export, worker: str) -> bool:
    """After an error on the server: back in the queue after a pause, or, at the last try,
    failed with a message the researcher can act on."""
    if export.attempts >= MAX_ATTEMPTS:
        return fail(export, worker, failed_on_the_server(export.attempts))
    return record_outcome(
        export,
        worker,
        state=Export.State.WAITING,
        claimed_by="",
        next_attempt_at=timezone.now() + leases.pause_after(export.attempts),
        detail=trying_again(export.attempts),
    )


def make_file(export: Export, worker: str, lease: timedelta) -> tuple[PackageResult, str, int]:
    """Write the package from the research database into a work directory and zip it into
    the export directory: the result, the zip's name and its size."""
    into = export_dir()
    with tempfile.TemporaryDirectory(prefix=WORK_PREFIX, dir=into) as work:
        package = Path(work) / "package"
        result = write_package(
            export.study,
            fmt=export.format,
            out_dir=package,
            tables=list(export.tables),
            using=research_database(),
            progress=reporter(export, worker, lease),
        )
        name, size = pack(package, into, export.format)
    return result, name, size


def record_outcome(export: Export, worker: str, **fields: Any) -> bool:
    """Record how the export ended, once, if `worker` still holds it; audited."""
    with transaction.atomic():
        if not held(export, worker).update(lease_until=None, **fields):
            return False
        was = trail.snapshot(export)
        for name, value in fields.items():
            setattr(export, name, value)
        export.lease_until = None
        trail.changed(None, CHANGE, export, before=was, scope=(export.study.clinic_id, None))
    return True


def finish(export: Export, worker: str, result: PackageResult, name: str, size: int) -> bool:
    """Mark the export ready, holding its clients; unless one of them withdrew research
    consent while it was made (the snapshot it read still had them): then it is made again
    (`again`). False when it is not ready: the caller deletes the file."""
    with transaction.atomic():
        # No withdrawal commits between the check and the export's being ready: on SQLite
        # the transaction holds the write lock from its start (IMMEDIATE, settings.py), on
        # PostgreSQL the check locks the consents (expiry.withdrawn_among).
        if not held(export, worker).update(lease_until=timezone.now() + EXPORT_LEASE):
            return False
        if expiry.withdrawn_among(result.clients):
            again(export, worker)
            return False
        if not record_outcome(export, worker, **ready(export, result, name, size)):
            return False
        expiry.hold_clients(export, result.clients)
    return True


def ready(export: Export, result: PackageResult, name: str, size: int) -> dict[str, Any]:
    now = timezone.now()
    return {
        "state": Export.State.READY,
        "finished_at": now,
        "expires_at": now + timedelta(days=settings.RESEARCH_EXPORT_KEEP_DAYS),
        "tables_done": len(export.tables),
        "rows_written": sum(result.rows.values()),
        "clients_included": result.clients_included,
        "withdrawn": list(result.withdrawn),
        "file_name": name,
        "file_size": size,
        "detail": "",
    }


def again(export: Export, worker: str) -> bool:
    """Put the export back in the queue, to be made again from the data as it is now: a
    client in it withdrew while it was being made."""
    log.info("export %s: a client withdrew while it was made; making it again", export.pk)
    return record_outcome(
        export,
        worker,
        state=Export.State.WAITING,
        claimed_by="",
        started_at=None,
        tables_done=0,
        rows_written=0,
        attempts=export.attempts - 1,  # not a failed try
        detail="",
    )


def fail(export: Export, worker: str, message: str) -> bool:
    return record_outcome(
        export,
        worker,
        state=Export.State.FAILED,
        finished_at=timezone.now(),
        detail=message[:300],
    )


def make_one(worker: str) -> int:
    """The worker step's turn: claim and make one export; returns how many it claimed. One
    at a time, because an export may take minutes and this worker's reminders wait behind it
    (a deployment with large studies runs a second worker)."""
    export = claim_export(worker)
    if export is None:
        return 0
    run_export(export, worker=worker)
    return 1


def expire_exports() -> int:
    """Delete the files of ready exports past their time; returns how many expired."""
    return expiry.expire_past_their_time()


def clear_abandoned_work() -> None:
    """Remove the work directories of workers that died while making an export."""
    cutoff = time.time() - ABANDONED_AFTER.total_seconds()
    for path in export_dir().glob(f"{WORK_PREFIX}*"):
        if path.is_dir() and path.stat().st_mtime < cutoff:
            shutil.rmtree(path, ignore_errors=True)
