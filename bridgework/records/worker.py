"""What the reminder worker does for records, each planning round (prompts.signals.
worker_housekeeping, connected in apps.py): erase the clients whose erasure waited for a
legal hold that has now ended, and those whose retention period has run out.

Each client is erased in a transaction of its own, with their row locked first, so two
workers never erase one client twice and one failure stops no other. A round erases at most
BATCH clients, so it never holds the worker long; the rest wait for the next round."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from bridgework.accounts.models import Clinic
from bridgework.care.models import Client
from bridgework.records import actions, erasure, forget
from bridgework.records.models import ErasureRequest, LegalHold

BATCH = 50
HOLD_ENDED, RETENTION, REQUEST = "hold-ended", "retention", "request"


def housekeeping() -> int:
    """One round; returns how many clients it erased."""
    forget.prune()
    erased = sum(erase_held(pk) for pk in requests_after_holds()[:BATCH])
    for clinic in Clinic.objects.all():
        erased += sum(erase_retained(pk) for pk in past_retention(clinic)[: BATCH - erased])
        if erased >= BATCH:
            break
    return erased


def requests_after_holds() -> list[int]:
    """Waiting requests of clients whose records a hold kept: none is in force any more.
    (A request never held waits for the admin, who offers the client their copy first.)"""
    today = timezone.localdate()
    held = LegalHold.objects.filter(client=OuterRef("client"))
    in_force = held.filter(released_at=None, ends_on__gte=today)
    waiting = ErasureRequest.objects.filter(
        state=ErasureRequest.State.WAITING, client__isnull=False
    )
    found = waiting.filter(Exists(held), ~Exists(in_force)).order_by("requested_at")
    return list(found.values_list("pk", flat=True)[:BATCH])


def retention_cutoff(clinic: Clinic, now: datetime) -> datetime:
    years = actions.retention_years(clinic)
    try:
        return now.replace(year=now.year - years)
    except ValueError:  # 29 February, and that year had none
        return now.replace(year=now.year - years, day=28)


def past_retention(clinic: Clinic) -> list[int]:
    """The clinic's clients whose therapy ended more than its retention period ago, and whom
    no hold keeps (`erase_retained` checks each again, the day exactly, under its lock)."""
    cutoff = retention_cutoff(clinic, timezone.now())
    in_force = LegalHold.objects.filter(
        client=OuterRef("pk"), released_at=None, ends_on__gte=timezone.localdate()
    )
    found = Client.objects.filter(clinic=clinic, is_training=False, discharged_at__lt=cutoff)
    return list(found.filter(~Exists(in_force)).values_list("pk", flat=True)[:BATCH])


@transaction.atomic
def erase_held(request_id: int) -> bool:
    request = (
        ErasureRequest.objects.select_for_update()
        .filter(pk=request_id, state=ErasureRequest.State.WAITING, client__isnull=False)
        .first()
    )
    if request is None or request.client_id is None or not erasable(request.client_id):
        return False
    erasure.erase(request, by=None, trigger=HOLD_ENDED)
    return True


@transaction.atomic
def erase_retained(client_id: int) -> bool:
    if not erasable(client_id):
        return False
    client = Client.objects.get(pk=client_id)
    # A request that waited for the retention is the one done; otherwise the clinic's own.
    waiting = ErasureRequest.objects.filter(client=client, state=ErasureRequest.State.WAITING)
    request = waiting.first() or ErasureRequest.objects.create(
        clinic_id=client.clinic_id, client=client, received_from=ErasureRequest.From.CLINIC
    )
    erasure.erase(request, by=None, trigger=RETENTION)
    return True


def erasable(client_id: int) -> bool:
    """Lock the client's row (another worker waits, then finds it gone) and ask the rules."""
    client = Client.objects.select_for_update().filter(pk=client_id).first()
    return client is not None and not actions.what_keeps(client)
