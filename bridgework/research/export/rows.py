"""The rows of each table, streamed: one queryset a table, read in chunks through
`.iterator()` (on PostgreSQL a server-side cursor), with the related facts a row needs joined
or sub-selected in the same query, never one query per row. Nothing here holds more than a
chunk of rows; the caches it keeps are bounded by the number of clients, instruments and
worksheets, not by the number of rows.

Every generator yields tuples in the order of its table's columns (research.export.tables),
with pseudonyms for ids, shifted dates, and None in the free-text columns unless the study
includes free text (those columns are then left out of the files altogether).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from bridgework.care.models import CareTeamMembership, Consent, Goal, TherapySession
from bridgework.plans.models import ActionPlan, Obstacle, PlanRevision
from bridgework.practice.models import PracticeLog
from bridgework.prompts.models import Prompt, PromptEvent
from bridgework.research.export.columnar import Batch, Epochs, Seconds, fetch
from bridgework.research.export.context import Context

Row = tuple[Any, ...]
CHUNK = 2000


def stream(rows: QuerySet[Any, Any]) -> Iterator[Any]:
    return rows.order_by("pk").iterator(chunk_size=CHUNK)


def clients(ctx: Context) -> Iterator[Row]:
    p, s = ctx.pseudonyms.maybe, ctx.shifts.apply
    therapists = CareTeamMembership.objects.filter(
        client=OuterRef("pk"), member__is_therapist=True
    ).order_by("added_at", "pk")
    consent = Consent.objects.filter(
        client=OuterRef("pk"), purpose=Consent.Purpose.RESEARCH, withdrawn_at=None
    )
    rows = ctx.clients.annotate(
        therapist=Subquery(therapists.values("member_id")[:1]),
        approach=Subquery(therapists.values("member__approach")[:1]),
        consent_at=Subquery(consent.values("given_at")[:1]),
    ).values_list("pk", "clinic_id", "therapist", "approach", "consent_at", "discharged_at")
    for pk, clinic, therapist, approach, consent_at, discharged in stream(rows):
        yield (
            p("client", pk),
            p("clinic", clinic),
            p("staff", therapist),
            approach,
            s(pk, consent_at),
            s(pk, discharged),
            ctx.study.shift_dates,
        )


def sessions_in_export(ctx: Context) -> QuerySet[TherapySession]:
    return (
        TherapySession.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids())
        .filter(ctx.period.during("starts_at"))
    )


def sessions(ctx: Context) -> Iterator[Row]:
    p, s = ctx.pseudonyms.maybe, ctx.shifts.apply
    rows = sessions_in_export(ctx).values_list(
        "client_id", "pk", "therapist_id", "number", "starts_at", ctx.text("takeaway")
    )
    for client, pk, therapist, number, starts_at, takeaway in stream(rows):
        yield (
            p("session", pk),
            p("client", client),
            p("staff", therapist),
            number,
            s(client, starts_at),
            takeaway,
        )


def goals(ctx: Context) -> Iterator[Row]:
    p, s = ctx.pseudonyms.maybe, ctx.shifts.apply
    rows = (
        Goal.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids())
        .filter(ctx.period.overlapping("created_at", "achieved_at"))
        .values_list("client_id", "pk", "created_at", "achieved_at", ctx.text("text"))
    )
    for client, pk, created, achieved, words in stream(rows):
        yield p("goal", pk), p("client", client), s(client, created), s(client, achieved), words


PLAN_TEXTS = (
    "title",
    "rationale",
    "instructions",
    "what",
    "when",
    "where",
    "how_long",
    "how_often",
    "with_whom",
    "cues",
    "rehearsal_note",
    "rating_scale",
)
PLAN_DESIGN = ("kind", "proposed_by", "framing", "approach", "worksheet")
PLAN_RATINGS = ("importance", "confidence", "rehearsed")


def plans_in_export(ctx: Context) -> QuerySet[ActionPlan]:
    return (
        ActionPlan.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids())
        .filter(ctx.period.overlapping("created_at", "closed_at"))
    )


def plans(ctx: Context) -> Iterator[Row]:
    p, s, period = ctx.pseudonyms.maybe, ctx.shifts.apply, ctx.period
    latest = PlanRevision.objects.filter(plan=OuterRef("pk")).order_by("-number")
    rows = plans_in_export(ctx).values_list(
        "client_id",
        "pk",
        *(
            ctx.linked(f"{link}_id", period.during(f"{link}__starts_at"))
            for link in ("set_in_session", "review_session", "builds_on")
        ),
        ctx.linked(
            "replaces_id", period.overlapping("replaces__created_at", "replaces__closed_at")
        ),
        "template__slug",
        *PLAN_DESIGN,
        *PLAN_RATINGS,
        "reminders",
        "imagery__confidence_before",
        "imagery__confidence_after",
        "status",
        Subquery(latest.values("number")[:1]),
        "created_at",
        "agreed_at",
        "first_seen_by_client_at",
        "closed_at",
        *(ctx.text(name) for name in (*PLAN_TEXTS, "decline_reason")),
    )
    for row in stream(rows):
        client, pk, set_in, review_in, builds_on, replaces, template = row[:7]
        design, ratings, reminders = row[7:12], row[12:15], row[15]
        imagery, status, version, times, texts = row[16:18], row[18], row[19], row[20:24], row[24:]
        yield (
            p("plan", pk),
            p("client", client),
            p("session", set_in),
            p("session", review_in),
            p("session", builds_on),
            p("plan", replaces),
            template,
            *design,
            *ratings,
            bool(reminders),
            *imagery,
            status,
            version,
            *(s(client, t) for t in times),
            *texts,
        )


def plan_versions(ctx: Context) -> Iterator[Row]:
    p, s, owner = ctx.pseudonyms.maybe, ctx.shifts.apply, "plan__client_id"
    rows = (
        PlanRevision.objects.using(ctx.using)
        .filter(plan__in=plans_in_export(ctx).values("pk"))
        .filter(ctx.period.during("made_at", client=owner))
        .values_list(
            "plan__client_id",
            "plan_id",
            "number",
            "made_by_id",
            "made_at",
            "snapshot",
            ctx.text("note"),
        )
    )
    for client, plan, number, made_by, made_at, snapshot, note in stream(rows):
        yield (
            p("plan", plan),
            number,
            p("client", client),
            p("staff", made_by),
            s(client, made_at),
            *(snapshot.get(name) or None for name in PLAN_DESIGN),
            *(snapshot.get(name) for name in PLAN_RATINGS),
            bool(snapshot.get("reminders")),
            len(snapshot.get("obstacles") or ()),
            len(snapshot.get("goals") or ()),
            *(snapshot.get(name) if ctx.free_text else None for name in PLAN_TEXTS),
            note,
        )


def plan_goals(ctx: Context) -> Iterator[Row]:
    p = ctx.pseudonyms.maybe
    rows = (
        ActionPlan.goals.through.objects.using(ctx.using)
        .filter(actionplan__in=plans_in_export(ctx).values("pk"))
        .filter(
            ctx.period.overlapping(
                "goal__created_at", "goal__achieved_at", client="goal__client_id"
            )
        )
        .values_list("actionplan__client_id", "actionplan_id", "goal_id")
    )
    for client, plan, goal in stream(rows):
        yield p("plan", plan), p("goal", goal), p("client", client)


def obstacles(ctx: Context) -> Iterator[Row]:
    p = ctx.pseudonyms.maybe
    rows = (
        Obstacle.objects.using(ctx.using)
        .filter(plan__in=plans_in_export(ctx).values("pk"))
        .values_list(
            "plan__client_id",
            "pk",
            "plan_id",
            "kind",
            "position",
            "suggested_from",
            ctx.text("description"),
            ctx.text("coping_plan"),
        )
    )
    for client, pk, plan, kind, position, suggested_from, description, coping in stream(rows):
        yield (
            p("obstacle", pk),
            p("plan", plan),
            p("client", client),
            kind,
            position,
            suggested_from is not None,
            description,
            coping,
        )


EVENT_STATES = ("scheduled", "delivered", "snoozed", "expired", "failed", "cancelled")


def first_event(state: str) -> Subquery:
    events = PromptEvent.objects.filter(prompt=OuterRef("pk"), state=state).order_by("at", "pk")
    return Subquery(events.values("at")[:1])


def prompts(ctx: Context) -> Iterator[Row]:
    p, s, period = ctx.pseudonyms.maybe, ctx.shifts.apply, ctx.period
    channel = (
        PromptEvent.objects.filter(prompt=OuterRef("pk"))
        .exclude(channel="")
        .order_by("at", "pk")
        .values("channel")[:1]
    )
    rows = (
        Prompt.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids())
        .filter(period.during("due_at"))
        .values_list(
            "client_id",
            "pk",
            ctx.linked("plan_id", period.overlapping("plan__created_at", "plan__closed_at")),
            "purpose",
            "schedule__kind",
            "schedule__origin",
            "schedule__version",
            "state",
            Subquery(channel),
            "attempts",
            first_event("scheduled"),
            "due_at",
            "expires_at",
            "sent_at",
            first_event("delivered"),
            "opened_at",
            first_event("snoozed"),
            "answered_at",
            first_event("expired"),
            first_event("failed"),
            first_event("cancelled"),
        )
    )
    for client, pk, plan, *facts in stream(rows):
        codes, times = facts[:7], facts[7:]
        yield (
            p("prompt", pk),
            p("client", client),
            p("plan", plan),
            *codes,
            *(s(client, t) for t in times),
        )


def logs_in_export(ctx: Context) -> QuerySet[PracticeLog]:
    """Practice logs within the period; private diary entries never leave the client."""
    return (
        PracticeLog.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids(), is_private=False)
        .filter(ctx.period.during("practiced_at"))
    )


def practice_logs(ctx: Context) -> Iterator[Batch]:
    """In batches of columns (research.export.columnar): the largest table with ratings."""
    ps, period = ctx.pseudonyms, ctx.period
    rows = logs_in_export(ctx).values_list(
        "client_id",
        "pk",
        ctx.linked("plan_id", period.overlapping("plan__created_at", "plan__closed_at")),
        ctx.linked("prompt_id", period.during("prompt__due_at")),
        "outcome",
        "worksheet",
        "worksheet_version",
        Seconds("practiced_at"),
        Seconds("received_at"),
        "duration_minutes",
        ctx.text("entries"),
        ctx.text("obstacles_note"),
        ctx.text("note"),
    )
    for batch in fetch(rows):
        client, pk, plan, prompt, outcome, sheet, version, *rest = batch
        practiced, received, minutes, entries, obstacles_note, note = rest
        yield [
            ps.many("practice-log", pk),
            ps.many("client", client),
            ps.many("plan", plan),
            ps.many("prompt", prompt),
            outcome,
            sheet,
            version,
            Epochs(ctx.shifts.seconds(client, practiced)),
            Epochs(ctx.shifts.seconds(client, received)),
            minutes,
            [
                None if e is None else json.dumps(e, ensure_ascii=False, sort_keys=True)
                for e in entries
            ],
            obstacles_note,
            note,
        ]
