"""The codebook of the tables of the client's engagement with a plan: prompts, practice logs,
0–100 ratings, check-ins and the plan reviews (research.export.tables)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from bridgework.plans import review as review_questions
from bridgework.plans.models import Decision
from bridgework.practice.models import Outcome
from bridgework.prompts.models import Channel, Prompt, Purpose, Schedule
from bridgework.research.export.codebook import Column, Table
from bridgework.research.export.columns import client_id, codes, pseudonym, text, when


def event_time(state: str, meaning: str) -> Column:
    return when(f"{state}_at", meaning, f"prompts.PromptEvent.at (first with state {state})")


PROMPTS = Table(
    "prompts",
    gettext_noop("Prompts"),
    "One row per prompt (practice reminder, check-in, questionnaire) due within the study "
    "period, with its whole life cycle: the first time it reached each state.",
    (
        pseudonym("prompt_id", "the prompt", "prompts.Prompt.id"),
        client_id("prompts.Prompt.client"),
        pseudonym("plan_id", "the plan it reminds of", "prompts.Prompt.plan"),
        Column(
            "purpose",
            "string",
            "What the prompt asks for.",
            "prompts.Prompt.purpose",
            enum=codes(Purpose),
        ),
        Column(
            "schedule_kind",
            "string",
            "The kind of schedule that made it.",
            "prompts.Schedule.kind",
            enum=codes(Schedule.Kind),
        ),
        Column(
            "schedule_origin",
            "string",
            "Who set the schedule up.",
            "prompts.Schedule.origin",
            enum=codes(Schedule.Origin),
        ),
        Column(
            "schedule_version",
            "integer",
            "The version of that schedule.",
            "prompts.Schedule.version",
        ),
        Column(
            "state", "string", "Its state now.", "prompts.Prompt.state", enum=codes(Prompt.State)
        ),
        Column(
            "channel",
            "string",
            "The channel it was sent on.",
            "prompts.PromptEvent.channel",
            enum=codes(Channel),
        ),
        Column(
            "attempts",
            "integer",
            "How many times sending was tried.",
            "prompts.Prompt.attempts",
            unit="attempts",
        ),
        event_time("scheduled", "When it was planned."),
        when("due_at", "When it was due.", "prompts.Prompt.due_at"),
        when("expires_at", "When it expires unanswered.", "prompts.Prompt.expires_at"),
        when("sent_at", "When it was sent.", "prompts.Prompt.sent_at"),
        event_time("delivered", "When it was delivered."),
        when("opened_at", "When the client opened it.", "prompts.Prompt.opened_at"),
        event_time("snoozed", "When the client first snoozed it."),
        when("answered_at", "When it was answered.", "prompts.Prompt.answered_at"),
        event_time("expired", "When it expired unanswered."),
        event_time("failed", "When sending failed for good."),
        event_time("cancelled", "When it was cancelled (schedule changed or ended)."),
    ),
    primary_key=("prompt_id",),
    foreign_keys=(("client_id", "clients", "client_id"), ("plan_id", "plans", "plan_id")),
)

PRACTICE_LOGS = Table(
    "practice_logs",
    gettext_noop("Practice logs"),
    "One row per practice log dated within the study period (private diary entries are "
    "never exported); its 0–100 ratings are in ratings.",
    (
        pseudonym("log_id", "the practice log", "practice.PracticeLog.id"),
        client_id("practice.PracticeLog.client"),
        pseudonym("plan_id", "the plan practised", "practice.PracticeLog.plan"),
        pseudonym("prompt_id", "the prompt it answers", "practice.PracticeLog.prompt"),
        Column(
            "outcome",
            "string",
            "How it went, in the client's choice.",
            "practice.PracticeLog.outcome",
            enum=codes(Outcome),
        ),
        Column(
            "worksheet",
            "string",
            "The worksheet it was logged on.",
            "practice.PracticeLog.worksheet",
        ),
        Column(
            "worksheet_version",
            "integer",
            "The worksheet's version.",
            "practice.PracticeLog.worksheet_version",
        ),
        when("practiced_at", "When the client practised.", "practice.PracticeLog.practiced_at"),
        when("received_at", "When the log reached the server.", "practice.PracticeLog.received_at"),
        Column(
            "duration_minutes",
            "integer",
            "How long the practice took.",
            "practice.PracticeLog.duration_minutes",
            unit="minutes",
        ),
        text("entries", "The worksheet's fields, as JSON.", "practice.PracticeLog.entries"),
        text("obstacles_note", "What got in the way.", "practice.PracticeLog.obstacles_note"),
        text("note", "The client's note.", "practice.PracticeLog.note"),
    ),
    primary_key=("log_id",),
    foreign_keys=(
        ("client_id", "clients", "client_id"),
        ("plan_id", "plans", "plan_id"),
        ("prompt_id", "prompts", "prompt_id"),
    ),
)

RATINGS = Table(
    "ratings",
    gettext_noop("0–100 ratings"),
    "One row per 0–100 rating, long format: a check-in's ratings on its scales and a "
    "practice log's 0–100 worksheet fields (a list's fields once per row of the list).",
    (
        pseudonym("rating_id", "the rating", "practice.Rating.id; practice.PracticeLog.entries"),
        client_id("practice.CheckIn.client; practice.PracticeLog.client"),
        pseudonym(
            "check_in_id", "the check-in (for a check-in's rating)", "practice.Rating.check_in"
        ),
        pseudonym(
            "log_id", "the practice log (for a worksheet's rating)", "practice.PracticeLog.id"
        ),
        Column(
            "source",
            "string",
            "Where the rating was given.",
            "practice",
            enum=("check-in", "practice-log"),
        ),
        pseudonym(
            "scale_id",
            "the check-in scale (empty for a worksheet's field)",
            "practice.Rating.scale",
        ),
        Column(
            "scale",
            "string",
            "The worksheet field's name (list.field for a list's); for a check-in, its scale's "
            "name as the therapist wrote it, only when the study includes free text (scale_id "
            "tells the scales apart either way).",
            "practice.CheckInScale.name; worksheet field",
        ),
        Column(
            "position",
            "integer",
            "The row of the list (0 first); empty outside a list.",
            "practice.PracticeLog.entries",
        ),
        when(
            "rated_at",
            "When it was rated (the check-in's or the log's time).",
            "practice.CheckIn.answered_at; practice.PracticeLog.practiced_at",
        ),
        Column(
            "value",
            "integer",
            "The rating.",
            "practice.Rating.value; worksheet field",
            unit="points",
            minimum=0,
            maximum=100,
        ),
    ),
    primary_key=("rating_id",),
    foreign_keys=(
        ("client_id", "clients", "client_id"),
        ("check_in_id", "checkins", "check_in_id"),
        ("log_id", "practice_logs", "log_id"),
    ),
)

CHECKINS = Table(
    "checkins",
    gettext_noop("Check-ins"),
    "One row per momentary check-in answered within the study period; its ratings are in ratings.",
    (
        pseudonym("check_in_id", "the check-in", "practice.CheckIn.id"),
        client_id("practice.CheckIn.client"),
        pseudonym("prompt_id", "the prompt it answers", "practice.CheckIn.prompt"),
        when("answered_at", "When the client answered.", "practice.CheckIn.answered_at"),
        when("received_at", "When it reached the server.", "practice.CheckIn.received_at"),
    ),
    primary_key=("check_in_id",),
    foreign_keys=(("client_id", "clients", "client_id"), ("prompt_id", "prompts", "prompt_id")),
)


def review_column(question: review_questions.Question) -> Column:
    name, source = question.link_id.replace("-", "_"), f"plans.Review.answers[{question.link_id}]"
    meaning = str(question.text)
    if question.kind == "text":
        return text(name, meaning, source)
    if question.link_id == "decision":
        return Column(name, "string", meaning, source, enum=codes(Decision))
    high = max(int(v) for v, _label in question.options) if question.options else question.high
    low = min(int(v) for v, _label in question.options) if question.options else question.low
    return Column(name, "integer", meaning, source, unit="points", minimum=low, maximum=high)


REVIEWS = Table(
    "reviews",
    gettext_noop("Plan reviews"),
    "One row per in-session review of a plan within the study period, with the Action Plan "
    "Review's engagement answers (done: 0 not at all … 4 all of it).",
    (
        pseudonym("review_id", "the review", "plans.Review.id"),
        pseudonym("plan_id", "the plan reviewed", "plans.Review.plan"),
        Column(
            "plan_version",
            "integer",
            "The plan's version in force when it was reviewed (plan_versions.version).",
            "plans.PlanRevision.number",
        ),
        client_id("plans.ActionPlan.client"),
        pseudonym("session_id", "the session it was reviewed in", "plans.Review.session"),
        when("reviewed_at", "When it was reviewed.", "plans.Review.reviewed_at"),
        Column(
            "instrument_version",
            "string",
            "The Action Plan Review's version.",
            "plans.Review.instrument_version",
        ),
        *(review_column(question) for question in review_questions.QUESTIONS),
    ),
    primary_key=("review_id",),
    foreign_keys=(
        ("plan_id", "plans", "plan_id"),
        ("client_id", "clients", "client_id"),
        ("session_id", "sessions", "session_id"),
    ),
    compound_keys=((("plan_id", "plan_version"), "plan_versions", ("plan_id", "version")),),
)
