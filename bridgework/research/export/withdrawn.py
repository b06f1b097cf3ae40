"""withdrawn.csv (or .parquet), in every package whatever tables the study takes: the clients
who are out of the export because they withdrew.

A client is listed when they are a real client of the study's clinics, have no open research
consent now, and last withdrew it at or after the study was set up: a client who withdrew
before the study began never consented to it, so they are as absent as anyone who never
consented. With the rows of earlier exports joined on client_id, a researcher knows whose data
to delete from their copies. Read from a replica, the clients who withdrew on the primary a
moment ago (context.withdrawn_since_replayed) are listed with their withdrawal as the primary
holds it.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.translation import gettext_noop

from bridgework.care.models import Client, Consent
from bridgework.research.export.codebook import Column, Table
from bridgework.research.export.columns import client_id
from bridgework.research.export.context import Context, clients_of_clinics, research_consent
from bridgework.research.models import Study

WITHDRAWN = Table(
    name="withdrawn",
    title=gettext_noop("Clients who withdrew"),
    description=(
        "The clients of the study's clinics who withdrew their research consent since the "
        "study was set up and have not given it again, one row each. They are in no other "
        "table of this export; delete their rows from copies of earlier exports."
    ),
    columns=(
        client_id("care.Client (study pseudonym)"),
        Column(
            "withdrawn_on",
            "date",
            "The day the client last withdrew research consent, in their clinic's time zone; "
            "shifted per client when the study shifts dates.",
            "care.Consent.withdrawn_at",
        ),
    ),
    primary_key=("client_id",),
)


def withdrawals(study: Study, using: str) -> QuerySet[Client, Any]:
    """(client pk, clinic time zone, last withdrawal) of the clients withdrawn.csv lists."""
    last = (
        Consent.objects.using(using)
        .filter(client=OuterRef("pk"), purpose=Consent.Purpose.RESEARCH)
        .exclude(withdrawn_at=None)
        .order_by("-withdrawn_at")
        .values("withdrawn_at")[:1]
    )
    return (
        clients_of_clinics(study, using)
        .exclude(research_consent())
        .annotate(last_withdrawn=Subquery(last))
        .filter(last_withdrawn__gte=study.created_at)
        .values_list("pk", "clinic__time_zone", "last_withdrawn")
    )


def withdrawn_rows(ctx: Context) -> list[tuple[int, date]]:
    """(client pk, day of withdrawal in the clinic's time zone), one per client."""
    found: dict[int, tuple[str, datetime]] = {
        pk: (zone, at) for pk, zone, at in withdrawals(ctx.study, ctx.using).iterator()
    }
    if ctx.withdrawn_meanwhile:
        on_primary = withdrawals(ctx.study, DEFAULT_DB_ALIAS).filter(pk__in=ctx.withdrawn_meanwhile)
        found |= {pk: (zone, at) for pk, zone, at in on_primary}
    return [(pk, at.astimezone(ZoneInfo(zone)).date()) for pk, (zone, at) in found.items()]


def withdrawn(ctx: Context) -> Iterator[tuple[Any, ...]]:
    """The table's rows, ordered by pseudonym (as the export's log lists them)."""
    rows = [
        (ctx.pseudonyms.of("client", pk), ctx.shifts.apply(pk, day))
        for pk, day in withdrawn_rows(ctx)
    ]
    yield from sorted(rows)
