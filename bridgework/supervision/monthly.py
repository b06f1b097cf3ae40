"""Plan-quality indicators over time: per therapist and calendar month, the share of their
plans with each indicator a–g (plans.indicators), reviewed at the next session, and with
practice logged, each with the numbers behind it (n present of N applicable).

Which plans count, and in which month (decided here, documented in docs/supervision.md):

- the plans of the therapist's real clients (`supervision.access.trainee_records`: training
  clients' role-plays are rated, never counted here), that were agreed (agreed, active or
  reviewed: a draft nobody agreed and a proposal nobody took up were never assigned);
- set by this therapist: in a session they held, or outside any session by them or by the
  client (an accepted proposal), so a client shared with a colleague counts each plan once;
- in the month, in the clinic's time zone, of the session the plan was set in: that is when
  it was designed with the client. A plan set outside any session counts in the month it was
  created.

"Reviewed at the next session" asks of each plan whose review is due (the client's first
session after the one it was set in has begun, or it has been reviewed anyway) whether its
first review was held in that session. "Practice logged" asks of each agreed plan whether
the client logged practice for it at least once (private diary entries are the client's
alone and never counted).

`monthly_rows` is pure (facts per plan → rows per month); `plan_months` reads those facts
from the records in a fixed number of queries, however many plans there are.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import User
from bridgework.measures.scoring import round_half_up
from bridgework.plans import indicators
from bridgework.plans.models import ActionPlan
from bridgework.plans.summaries import ASSIGNED, WITH_INDICATOR_FACTS
from bridgework.supervision.access import TraineeRecords

REVIEWED_AT_NEXT = "reviewed-at-next"
PRACTISED = "practised"
# What each month's row holds, in the order of the table, the pictures and the CSV.
MEASURES: dict[str, Promise] = {
    **indicators.LABELS,
    REVIEWED_AT_NEXT: _("Reviewed at the next session"),
    PRACTISED: _("Practice logged at least once"),
}
# The table's column headings: the letter of each indicator (its label in a legend beside the
# table, and for screen readers in the heading itself), a short name for the other two.
HEADINGS: dict[str, Promise | str] = {
    **{code: code for code in indicators.LABELS},
    REVIEWED_AT_NEXT: _("At next session"),
    PRACTISED: _("Practised"),
}


@dataclass(frozen=True)
class Share:
    """n present of N applicable."""

    present: int = 0
    applicable: int = 0

    def counting(self, value: bool | None) -> Share:
        if value is None:
            return self
        return Share(self.present + (1 if value else 0), self.applicable + 1)

    @property
    def percent(self) -> int | None:
        """The share as a whole percentage (half up), None when nothing was applicable."""
        if not self.applicable:
            return None
        return round_half_up(100 * self.present / self.applicable)

    def __str__(self) -> str:
        return f"{self.present}/{self.applicable}"


@dataclass(frozen=True)
class PlanMonth:
    """The facts of one plan that the monthly rows count."""

    month: date  # the first day of the month it was set in
    indicators: Mapping[str, bool | None]  # a–g, as plans.indicators gives them
    reviewed_at_next: bool | None  # None: its review is not due yet
    practised: bool


@dataclass(frozen=True)
class MonthRow:
    month: date
    plans: int = 0
    shares: dict[str, Share] = field(default_factory=lambda: dict.fromkeys(MEASURES, Share()))

    def share(self, measure: str) -> Share:
        return self.shares[measure]

    @property
    def cells(self) -> list[Share]:
        return [self.shares[measure] for measure in MEASURES]


def monthly_rows(plans: Iterable[PlanMonth]) -> list[MonthRow]:
    """One row per calendar month from the first plan's to the last one's, in order; a month
    in between without plans has a row of zeros (the pictures show the gap)."""
    by_month: dict[date, MonthRow] = {}
    for plan in plans:
        row = by_month.get(plan.month) or MonthRow(plan.month)
        values: dict[str, bool | None] = {
            **plan.indicators,
            REVIEWED_AT_NEXT: plan.reviewed_at_next,
            PRACTISED: plan.practised,
        }
        shares = {measure: row.shares[measure].counting(values[measure]) for measure in MEASURES}
        by_month[plan.month] = MonthRow(plan.month, row.plans + 1, shares)
    if not by_month:
        return []
    months = months_between(min(by_month), max(by_month))
    return [by_month.get(month) or MonthRow(month) for month in months]


def months_between(first: date, last: date) -> list[date]:
    months, month = [], first
    while month <= last:
        months.append(month)
        month = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return months


def month_of(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date().replace(day=1)


Sessions = Sequence[tuple[int, datetime]]  # (id, starts_at) of one client's sessions, in order


def reviewed_at_next(
    anchor: datetime, sessions: Sessions, first_review: int | None, reviewed: bool, now: datetime
) -> bool | None:
    """Whether a plan set at `anchor` had its first review (held in the session with id
    `first_review`, None for one held outside a session) in the client's next session; None
    while that review is not due (no next session has begun, and no review yet)."""
    following = next(((pk, at) for pk, at in sessions if at > anchor), None)
    if not reviewed and (following is None or following[1] > now):
        return None
    return following is not None and reviewed and first_review == following[0]


# --- reading the facts --------------------------------------------------------------------------


def counted_plans(records: TraineeRecords) -> QuerySet[ActionPlan]:
    """The plans the rows count (see the module's docstring)."""
    therapist = records.therapist
    set_by_them = Q(set_in_session__therapist=therapist) | Q(set_in_session=None) & (
        Q(created_by=therapist) | Q(created_by=None) | Q(created_by__kind=User.Kind.CLIENT)
    )
    return records.plans.filter(set_by_them, status__in=ASSIGNED)


def plan_months(records: TraineeRecords, now: datetime | None = None) -> list[PlanMonth]:
    """The facts of every counted plan: seven queries (the plans, their goals, obstacles,
    reviews and successors, the clients' sessions, the plans with practice)."""
    now = now or timezone.now()
    zone = ZoneInfo(records.therapist.clinic.time_zone)
    plans = list(
        counted_plans(records)
        .select_related("set_in_session", "review_session", "builds_on")
        .prefetch_related(*WITH_INDICATOR_FACTS)
        .order_by("pk")
    )
    sessions: dict[int, list[tuple[int, datetime]]] = {}
    found = records.sessions.order_by("starts_at", "id")
    for client_id, pk, starts_at in found.values_list("client_id", "pk", "starts_at"):
        sessions.setdefault(client_id, []).append((pk, starts_at))
    practised = set(
        records.logs.filter(plan__in=[plan.pk for plan in plans]).values_list("plan_id", flat=True)
    )
    return [
        plan_month(plan, sessions.get(plan.client_id, []), plan.pk in practised, zone, now)
        for plan in plans
    ]


def plan_month(
    plan: ActionPlan, sessions: Sessions, practised: bool, zone: ZoneInfo, now: datetime
) -> PlanMonth:
    anchor = plan.set_in_session.starts_at if plan.set_in_session else plan.created_at
    reviews = list(plan.reviews.all())  # oldest first
    return PlanMonth(
        month=month_of(anchor, zone),
        indicators=indicators.indicators(indicators.facts_of(plan, now)),
        reviewed_at_next=reviewed_at_next(
            anchor, sessions, reviews[0].session_id if reviews else None, bool(reviews), now
        ),
        practised=practised,
    )


def monthly(records: TraineeRecords, now: datetime | None = None) -> list[MonthRow]:
    return monthly_rows(plan_months(records, now))
