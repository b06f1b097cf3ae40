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

from django.db.models import F, OuterRef, QuerySet, Subquery, TextField, Value

from bridgework.care.models import CareTeamMembership, Consent, Goal, TherapySession
from bridgework.plans.models import ActionPlan, Obstacle, PlanRevision
from bridgework.practice.models import PracticeLog
from bridgework.prompts.models import Prompt
from bridgework.research.export.arrow_build import strings
from bridgework.research.export.arrow_read import INTEGER, JSON, STRING, arrays
from bridgework.research.export.as_of import (
    first_channel,
    first_event,
    plan_status_at_end,
    plan_version_at_end,
    prompt_state_at_end,
    versions_in_period,
)
from bridgework.research.export.columnar import Batch, Seconds
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
        discharged_by_end=ctx.as_of_end("discharged_at", client="pk"),
    ).values_list("pk", "clinic_id", "therapist", "approach", "consent_at", "discharged_by_end")
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
        .values_list(
            "client_id", "pk", "created_at", ctx.as_of_end("achieved_at"), ctx.text("text")
        )
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
PLAN_TIMES = ("agreed_at", "first_seen_by_client_at", "closed_at")


def plans_in_export(ctx: Context) -> QuerySet[ActionPlan]:
    return (
        ActionPlan.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids())
        .filter(ctx.period.overlapping("created_at", "closed_at"))
    )


def free_texts(ctx: Context, names: tuple[str, ...]) -> dict[str, F | Value]:
    """Free-text fields by name + "_text" (a name of its own: values() may not reuse a
    field's), empty unless the study includes free text."""
    return {
        f"{name}_text": F(name) if ctx.free_text else Value(None, output_field=TextField())
        for name in names
    }


def plans(ctx: Context) -> Iterator[Row]:
    """Each plan as it stood at the period's end (research.export.as_of)."""
    p, s, period = ctx.pseudonyms.maybe, ctx.shifts.apply, ctx.period
    rows = plans_in_export(ctx).values(
        "client_id",
        "pk",
        "template__slug",
        *PLAN_DESIGN,
        *PLAN_RATINGS,
        "reminders",
        "imagery__confidence_before",
        "imagery__confidence_after",
        "created_at",
        **{
            f"{link}_in_export": ctx.linked(f"{link}_id", period.during(f"{link}__starts_at"))
            for link in ("set_in_session", "review_session", "builds_on")
        },
        replaces_in_export=ctx.linked(
            "replaces_id", period.overlapping("replaces__created_at", "replaces__closed_at")
        ),
        status_at_end=plan_status_at_end(period),
        version_at_end=plan_version_at_end(period),
        **{f"{time}_by_end": ctx.as_of_end(time) for time in PLAN_TIMES},
        **free_texts(ctx, (*PLAN_TEXTS, "decline_reason")),
    )
    for plan in stream(rows):
        client = plan["client_id"]
        closed = plan["closed_at_by_end"]
        yield (
            p("plan", plan["pk"]),
            p("client", client),
            p("session", plan["set_in_session_in_export"]),
            p("session", plan["review_session_in_export"]),
            p("session", plan["builds_on_in_export"]),
            p("plan", plan["replaces_in_export"]),
            plan["template__slug"],
            *(plan[name] for name in (*PLAN_DESIGN, *PLAN_RATINGS)),
            bool(plan["reminders"]),
            plan["imagery__confidence_before"],
            plan["imagery__confidence_after"],
            plan["status_at_end"],
            plan["version_at_end"],
            s(client, plan["created_at"]),
            *(s(client, plan[f"{time}_by_end"]) for time in PLAN_TIMES),
            *(plan[f"{name}_text"] for name in PLAN_TEXTS),
            # Declining gives the reason: none yet if the plan was declined after the end.
            plan["decline_reason_text"] if closed else None,
        )


def plan_versions(ctx: Context) -> Iterator[Row]:
    """The version in force at the period's start and every later one up to its end."""
    p, s = ctx.pseudonyms.maybe, ctx.shifts.apply
    revisions = PlanRevision.objects.using(ctx.using).filter(
        plan__in=plans_in_export(ctx).values("pk")
    )
    rows = versions_in_period(revisions, ctx.period).values_list(
        "plan__client_id",
        "plan_id",
        "number",
        "made_by_id",
        "made_at",
        "snapshot",
        ctx.text("note"),
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
PROMPT_CODES = ("purpose", "schedule__kind", "schedule__origin", "schedule__version")
PROMPT_TIMES = ("sent_at", "opened_at", "answered_at")


def prompts(ctx: Context) -> Iterator[Row]:
    """Each prompt's life cycle as it stood at the period's end (research.export.as_of); its
    expiry is a deadline set in advance, so it stays even when after the end."""
    p, s, period = ctx.pseudonyms.maybe, ctx.shifts.apply, ctx.period
    rows = (
        Prompt.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids())
        .filter(period.during("due_at"))
        .values(
            "client_id",
            "pk",
            *PROMPT_CODES,
            "attempts",
            "due_at",
            "expires_at",
            plan_in_export=ctx.linked(
                "plan_id", period.overlapping("plan__created_at", "plan__closed_at")
            ),
            state_at_end=prompt_state_at_end(ctx),
            channel_by_end=first_channel(ctx),
            **{f"{state}_by_end": first_event(ctx, state) for state in EVENT_STATES},
            **{f"{time}_by_end": ctx.as_of_end(time) for time in PROMPT_TIMES},
        )
    )
    for prompt in stream(rows):
        client = prompt["client_id"]
        at = {name: s(client, prompt[f"{name}_by_end"]) for name in (*EVENT_STATES, *PROMPT_TIMES)}
        yield (
            p("prompt", prompt["pk"]),
            p("client", client),
            p("plan", prompt["plan_in_export"]),
            *(prompt[name] for name in PROMPT_CODES),
            prompt["state_at_end"],
            prompt["channel_by_end"],
            prompt["attempts"],
            at["scheduled"],
            s(client, prompt["due_at"]),
            s(client, prompt["expires_at"]),
            at["sent_at"],
            at["delivered"],
            at["opened_at"],
            at["snoozed"],
            at["answered_at"],
            at["expired"],
            at["failed"],
            at["cancelled"],
        )


def logs_in_export(ctx: Context) -> QuerySet[PracticeLog]:
    """Practice logs within the period; private diary entries never leave the client."""
    return (
        PracticeLog.objects.using(ctx.using)
        .filter(client_id__in=ctx.client_ids(), is_private=False)
        .filter(ctx.period.during("practiced_at"))
    )


def practice_logs(ctx: Context) -> Iterator[Batch]:
    """In batches of Arrow columns (research.export.arrow_read): the largest table with
    ratings."""
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
        Seconds(ctx.as_of_end("received_at")),
        "duration_minutes",
        ctx.text("entries"),
        ctx.text("obstacles_note"),
        ctx.text("note"),
    )
    types = [INTEGER] * 4 + [STRING, STRING] + [INTEGER] * 4 + [JSON, STRING, STRING]
    for batch in arrays(rows, types, by_copy=ctx.by_copy):
        client, pk, plan, prompt, outcome, sheet, version, *rest = batch
        practiced, received, minutes, entries, obstacles_note, note = rest
        yield [
            ps.column("practice-log", pk),
            ps.column("client", client),
            ps.column("plan", plan),
            ps.column("prompt", prompt),
            outcome,
            sheet,
            version,
            ctx.shifts.times(client, practiced),
            ctx.shifts.times(client, received),
            minutes,
            strings(
                [
                    None if e is None else json.dumps(e, ensure_ascii=False, sort_keys=True)
                    for e in entries
                ]
            ),
            obstacles_note,
            note,
        ]
