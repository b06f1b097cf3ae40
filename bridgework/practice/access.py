"""The doors for practice logs and check-ins (see care.access for how doors work).

A private diary entry is for its client alone: to everybody else the door answers 404 and the
lists leave it out. (The access trail notes that an entry was saved, under the same object
type whether private or not, never its words: practice.actions.)
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Q, QuerySet
from django.http import HttpRequest

from bridgework.care.access import (
    Need,
    decide,
    of_clients,
    open_object,
    record_listing,
    record_listings,
)
from bridgework.care.models import Client
from bridgework.practice.models import CheckIn, PracticeLog


def get_log_for_user(request: HttpRequest, log_id: int, *, need: Need = Need.READ) -> PracticeLog:
    log = PracticeLog.objects.select_related("client__clinic", "plan").filter(pk=log_id).first()
    client = log.client if log else None
    if log is not None and log.is_private and decide(request.user, log.client, need) != "client":
        log = None
    return open_object(request, "practice-log", log_id, log, client, need, False)


def logs_of(request: HttpRequest, client: Client) -> QuerySet[PracticeLog]:
    role = record_listing(request, client, "practice-logs")
    # The plan's template too: its seeds say what a plan's own scale names (practice.progress).
    logs = PracticeLog.objects.filter(client=client).select_related("plan__template")
    return logs.filter(seen_as(role))


def logs_of_clients(request: HttpRequest, clients: Sequence[Client]) -> QuerySet[PracticeLog]:
    """`logs_of` for many clients at once (a trainee's dashboard): each client decided by the
    client door's rule, with one listing event on its chain; a client this person may not
    read is recorded as a refusal and left out. Private diary entries only to their client."""
    roles = record_listings(request, clients, "practice-logs")
    return PracticeLog.objects.filter(of_clients(roles, seen_as)).select_related("plan__template")


def seen_as(role: str) -> Q:
    """Which of a readable client's logs a reader in `role` sees: a private entry is for its
    client alone."""
    return Q() if role == "client" else Q(is_private=False)


def check_ins_of(request: HttpRequest, client: Client) -> QuerySet[CheckIn]:
    record_listing(request, client, "check-ins")
    return CheckIn.objects.filter(client=client).prefetch_related("ratings__scale")
