"""How an export's file leaves Bridgework: when its time is up, or at once when a client it
holds withdraws research consent.

The consent page promises a client that withdrawing removes their data from exports already
made. So a ready export records the clients it holds (`Export.included_clients`, filled in the
transaction that makes it ready), and care's `consent_withdrawn` signal (connected in
apps.py, sent inside the withdrawal's transaction) expires every ready export holding the
client: its state and the reason change with the withdrawal, and the file is deleted once
that has committed (a withdrawal rolled back keeps the file). An export being made when the
withdrawal comes is checked at its end instead (`withdrawn_among`, called by jobs.finish).
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.care.models import Client, Consent
from bridgework.research.models import Export

# Up to this many clients are named in one query (well within SQLite's and PostgreSQL's
# limits on a query's parameters).
CHUNK = 2000


def export_dir() -> Path:
    directory = Path(settings.RESEARCH_EXPORT_DIR)
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def remove_file(name: str) -> None:
    if name:
        (export_dir() / name).unlink(missing_ok=True)


def expire(export: Export, because: str) -> bool:
    """Expire one ready export for `because` (Export.ExpiredBecause), audited with the
    reason; its file is deleted after the transaction commits. False when it was no longer
    ready (another worker's round, or another withdrawal, expired it a moment ago)."""
    with transaction.atomic():
        expired = Export.State.EXPIRED
        if not Export.objects.filter(pk=export.pk, state=Export.State.READY).update(
            state=expired, file_name="", expired_because=because
        ):
            return False
        was = trail.snapshot(export)
        name = export.file_name
        export.state, export.file_name, export.expired_because = expired, "", because
        trail.changed(
            None,
            AccessEvent.Action.CHANGE,
            export,
            before=was,
            scope=(export.study.clinic_id, None),
            detail={"because": because},
        )
        transaction.on_commit(partial(remove_file, name))
    return True


def expire_past_their_time() -> int:
    """Expire the ready exports whose keeping time is up; returns how many."""
    due = Export.objects.filter(state=Export.State.READY, expires_at__lte=timezone.now())
    return sum(expire(export, Export.ExpiredBecause.TIME) for export in due.select_related("study"))


@transaction.atomic
def withdraw_from_exports(client: Client) -> int:
    """The client withdrew research consent: expire every ready export holding them at once;
    returns how many. Runs in the withdrawal's transaction (care.signals.consent_withdrawn)."""
    holding = (
        Export.objects.select_for_update(of=("self",))
        .filter(state=Export.State.READY, included_clients=client)
        .select_related("study")
    )
    return sum(expire(export, Export.ExpiredBecause.WITHDRAWAL) for export in holding)


def withdrawn_among(clients: Iterable[int]) -> bool:
    """Has any of these clients no open research consent now, on the primary database? The
    consents still open are locked until the caller's transaction ends, so a withdrawal
    either committed before (and is seen here) or waits, and then finds the export ready
    and expires it: no export is left ready holding a client who withdrew."""
    pks = sorted(set(clients))
    research = Consent.objects.select_for_update().filter(
        purpose=Consent.Purpose.RESEARCH, withdrawn_at=None
    )
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start : start + CHUNK]
        consenting = set(research.filter(client_id__in=chunk).values_list("client_id", flat=True))
        if len(consenting) < len(chunk):
            return True
    return False


def hold_clients(export: Export, clients: Iterable[int]) -> None:
    """Record which clients the export holds (in batches: a study may have many)."""
    through = Export.included_clients.through
    through.objects.bulk_create(
        [through(export_id=export.pk, client_id=pk) for pk in sorted(set(clients))],
        batch_size=CHUNK,
    )
