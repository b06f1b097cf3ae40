"""What every table's rows need to know about the study being exported: which clients are in
it, the study period (in each clinic's time zone), its pseudonyms and date shifts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from functools import reduce
from operator import or_
from typing import Any
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS, models
from django.db.models import Case, Exists, F, OuterRef, Q, QuerySet, Value, When

from bridgework.care.models import Client, Consent
from bridgework.research.export.columnar import as_given
from bridgework.research.export.dates import Shifts
from bridgework.research.export.pseudonyms import Pseudonyms
from bridgework.research.models import Study
from bridgework.research.replica import REPLICA


def research_consent(open_only: bool = True) -> Exists:
    consents = Consent.objects.filter(client=OuterRef("pk"), purpose=Consent.Purpose.RESEARCH)
    return Exists(consents.filter(withdrawn_at=None) if open_only else consents)


def clients_of_clinics(study: Study, using: str) -> QuerySet[Client]:
    """The real clients of the study's clinics (role-play clients are never research data)."""
    clinics = study.clinics.using(using).values("pk")
    return Client.objects.using(using).filter(clinic__in=clinics, is_training=False)


def consented(study: Study, using: str) -> QuerySet[Client]:
    return clients_of_clinics(study, using).filter(research_consent()).order_by("pk")


def withdrawn_since_replayed(clients: QuerySet[Client], using: str) -> list[int]:
    """Of the clients a replica holds as consenting, those whose research consent the primary
    no longer holds open: a withdrawal the replica has not replayed yet still counts. One
    small question to the primary per MAX_LISTED clients (ids and consents, no rows of care);
    nothing when the export reads the primary itself."""
    if using != REPLICA:
        return []
    pks = list(clients.values_list("pk", flat=True))
    on_primary = Client.objects.using(DEFAULT_DB_ALIAS).exclude(research_consent())
    return [
        pk
        for start in range(0, len(pks), MAX_LISTED)
        for pk in on_primary.filter(pk__in=pks[start : start + MAX_LISTED]).values_list(
            "pk", flat=True
        )
    ]


# Up to this many clients a query names them by id (fast: no join to the consents for each
# row); beyond, it selects them in a subquery, keeping within the databases' limits on a
# query's parameters (65,535 on PostgreSQL, 32,766 on SQLite).
MAX_LISTED = 2000

Clients = tuple[int, ...] | QuerySet[Client, Any]


@dataclass(frozen=True)
class Period:
    """The study period, from the start of starts_on to the end of ends_on as a day in the
    clinic's own time zone: a session at 00:30 on 1 January in Berlin is in a study starting
    that day although it was still 31 December in UTC.

    The bounds are kept per time zone with the study's clients there, so a study whose
    clinics share a time zone (most) filters on one plain range; the clients themselves are
    filtered once per table by their ids (Context.client_ids), not by a join per row."""

    bounds: tuple[tuple[Clients, datetime, datetime], ...]

    @classmethod
    def of(cls, study: Study, clients: QuerySet[Client], zoned: list[tuple[int, str]]) -> Period:
        zones: dict[str, list[int]] = defaultdict(list)
        for pk, zone in zoned:
            zones[zone].append(pk)
        end = study.ends_on + timedelta(days=1)

        def named(zone: str, pks: list[int]) -> Clients:
            if len(zoned) <= MAX_LISTED:
                return tuple(sorted(pks))
            return clients.filter(clinic__time_zone=zone).values("pk")

        return cls(
            tuple(
                (
                    named(zone, pks),
                    datetime.combine(study.starts_on, time(0), ZoneInfo(zone)),
                    datetime.combine(end, time(0), ZoneInfo(zone)),
                )
                for zone, pks in sorted(zones.items())
            )
        )

    def during(self, path: str, client: str = "client_id") -> Q:
        """Rows whose `path` (a date and time) falls within the period; `client` is the
        path to the row's client."""
        return self._any(lambda low, high: Q(**{f"{path}__gte": low, f"{path}__lt": high}), client)

    def overlapping(self, start: str, end: str, client: str = "client_id") -> Q:
        """Rows that were open at some time in the period: begun before its end and not
        ended before its start (a plan agreed before the period and practised in it)."""
        return self._any(
            lambda low, high: (
                Q(**{f"{start}__lt": high})
                & (Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": low}))
            ),
            client,
        )

    def before_end(self, path: str, client: str = "client_id") -> Q:
        """Rows whose `path` (a date and time) came before the period's end: a fact known on
        ends_on (the period rule: a later time is left blank, docs/research-export.md)."""
        return self._any(lambda _low, high: Q(**{f"{path}__lt": high}), client)

    def by_start(self, path: str, client: str = "client_id") -> Q:
        """Rows whose `path` came by the period's start (at or before it)."""
        return self._any(lambda low, _high: Q(**{f"{path}__lte": low}), client)

    def _any(self, within: Callable[[datetime, datetime], Q], client: str) -> Q:
        if len(self.bounds) == 1:
            _pks, low, high = self.bounds[0]
            return within(low, high)
        parts = [Q(**{f"{client}__in": pks}) & within(low, high) for pks, low, high in self.bounds]
        return reduce(or_, parts, Q(pk__in=[]))


@dataclass
class Context:
    study: Study
    using: str
    pseudonyms: Pseudonyms
    shifts: Shifts
    period: Period
    free_text: bool
    clients: QuerySet[Client] = field(repr=False)
    # The consented clients' ids, read once: a list as long as the study has clients (not
    # rows), so each table's query filters on it instead of joining the consents per row;
    # a subquery for a study of very many clients (MAX_LISTED).
    ids: list[int] | QuerySet[Client, Any] = field(repr=False, default_factory=list)
    # Clients the replica still holds as consenting who have withdrawn on the primary.
    withdrawn_meanwhile: list[int] = field(default_factory=list)
    # The large tables are read by COPY on PostgreSQL (research.export.arrow_read); False
    # reads them through the cursor, as on SQLite (the tests compare the two).
    by_copy: bool = True

    @classmethod
    def of(cls, study: Study, using: str) -> Context:
        pseudonyms = Pseudonyms(study.pseudonym_key)
        clients = consented(study, using)
        meanwhile = withdrawn_since_replayed(clients, using)
        if meanwhile:
            clients = clients.exclude(pk__in=meanwhile)
        zoned = list(clients.values_list("pk", "clinic__time_zone"))
        return cls(
            study=study,
            using=using,
            pseudonyms=pseudonyms,
            shifts=Shifts(pseudonyms, enabled=study.shift_dates),
            period=Period.of(study, clients, zoned),
            free_text=study.include_free_text,
            clients=clients,
            ids=[pk for pk, _zone in zoned] if len(zoned) <= MAX_LISTED else clients.values("pk"),
            withdrawn_meanwhile=meanwhile,
        )

    def client_ids(self) -> list[int] | QuerySet[Client, Any]:
        """The consented clients' ids, for `client_id__in`."""
        return self.ids

    def text(self, path: str) -> str | Value:
        """A free-text field, or an empty value in its place: free text is not even read
        from the database unless the study includes it."""
        return path if self.free_text else Value(None, output_field=models.TextField())

    def linked(self, path: str, inside: Q) -> Case:
        """The id at `path`, or none when the row it names is not in the export (outside the
        period): every id in a file joins to a row of the table it names."""
        return Linked(When(inside, then=F(path)), default=None, output_field=models.IntegerField())

    def as_of_end(self, path: str, client: str = "client_id") -> Case:
        """The time at `path`, or none when it came after the period's end (the period rule:
        each table is as it stood on ends_on)."""
        return Case(
            When(self.period.before_end(path, client), then=F(path)),
            default=None,
            output_field=models.DateTimeField(),
        )


class Linked(Case):
    """An id or none (Context.linked): an integer from the database already, so Django need
    not call int() on every value of the column."""

    @property
    def convert_value(self) -> Callable[..., Any]:
        return as_given
