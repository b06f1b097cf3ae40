"""The codebook of the tables after the plan: prompts, practice, check-ins and ratings,
reviews, questionnaires, flags and competence ratings (research.export.tables)."""

from __future__ import annotations

from bridgework.measures.models import Flag
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
    "Prompts",
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
            allowed=codes(Purpose),
        ),
        Column(
            "schedule_kind",
            "string",
            "The kind of schedule that made it.",
            "prompts.Schedule.kind",
            allowed=codes(Schedule.Kind),
        ),
        Column(
            "schedule_origin",
            "string",
            "Who set the schedule up.",
            "prompts.Schedule.origin",
            allowed=codes(Schedule.Origin),
        ),
        Column(
            "schedule_version",
            "integer",
            "The version of that schedule.",
            "prompts.Schedule.version",
        ),
        Column(
            "state", "string", "Its state now.", "prompts.Prompt.state", allowed=codes(Prompt.State)
        ),
        Column(
            "channel",
            "string",
            "The channel it was sent on.",
            "prompts.PromptEvent.channel",
            allowed=codes(Channel),
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
    "Practice logs",
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
            allowed=codes(Outcome),
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
    "0–100 ratings",
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
            allowed=("check-in", "practice-log"),
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
            allowed="0–100",
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
    "Check-ins",
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
        return Column(name, "string", meaning, source, allowed=codes(Decision))
    high = max(int(v) for v, _label in question.options) if question.options else question.high
    low = min(int(v) for v, _label in question.options) if question.options else question.low
    return Column(name, "integer", meaning, source, unit="points", allowed=f"{low}–{high}")


REVIEWS = Table(
    "reviews",
    "Plan reviews",
    "One row per in-session review of a plan within the study period, with the Action Plan "
    "Review's engagement answers (done: 0 not at all … 4 all of it).",
    (
        pseudonym("review_id", "the review", "plans.Review.id"),
        pseudonym("plan_id", "the plan reviewed", "plans.Review.plan"),
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
)

MEASURE_RESPONSES = Table(
    "measure_responses",
    "Questionnaire responses",
    "One row per completed questionnaire (PHQ-9, GAD-7, …) within the study period, with its "
    "total score; every score is in measure_scores, every answer in measure_items. Plan "
    "reviews are in reviews.",
    (
        pseudonym("response_id", "the response", "measures.Response.id"),
        client_id("measures.Response.client"),
        pseudonym("session_id", "the session it was completed for", "measures.Response.session"),
        Column("instrument", "string", "The questionnaire (its slug).", "measures.Instrument.slug"),
        Column(
            "instrument_version",
            "string",
            "The questionnaire's version.",
            "measures.Instrument.version",
        ),
        when("completed_at", "When it was completed.", "measures.Response.completed_at"),
        Column(
            "is_baseline",
            "boolean",
            "Marked by the therapist as the client's baseline on "
            "this questionnaire (if none is marked, the first scored response is).",
            "measures.Baseline",
        ),
        Column(
            "total",
            "number",
            "The total score; empty if too many items were unanswered.",
            "measures.Response.scores[total].value",
            unit="points",
        ),
        Column(
            "total_band",
            "string",
            "The total's severity band.",
            "measures.Response.scores[total].band",
        ),
        Column(
            "total_above_cutoff",
            "boolean",
            "The total is above the clinical cut-off.",
            "measures.Response.scores[total].above_cutoff",
        ),
        Column(
            "total_prorated",
            "boolean",
            "The total was prorated over missing items.",
            "measures.Response.scores[total].prorated",
        ),
    ),
    primary_key=("response_id",),
    foreign_keys=(("client_id", "clients", "client_id"), ("session_id", "sessions", "session_id")),
)

MEASURE_SCORES = Table(
    "measure_scores",
    "Questionnaire scores",
    "One row per score of a response (the total and any subscales).",
    (
        pseudonym("response_id", "the response", "measures.Response.id"),
        Column(
            "score",
            "string",
            "The score's id in the questionnaire's definition.",
            "measures.Response.scores",
        ),
        client_id("measures.Response.client"),
        Column("value", "number", "The score.", "measures.Response.scores[].value", unit="points"),
        Column("band", "string", "Its band.", "measures.Response.scores[].band"),
        Column(
            "above_cutoff",
            "boolean",
            "Above the cut-off.",
            "measures.Response.scores[].above_cutoff",
        ),
        Column(
            "prorated",
            "boolean",
            "Prorated over missing items.",
            "measures.Response.scores[].prorated",
        ),
    ),
    primary_key=("response_id", "score"),
    foreign_keys=(
        ("response_id", "measure_responses", "response_id"),
        ("client_id", "clients", "client_id"),
    ),
)

MEASURE_ITEMS = Table(
    "measure_items",
    "Questionnaire items",
    "One row per answered item of a response.",
    (
        pseudonym("response_id", "the response", "measures.Response.id"),
        Column(
            "item", "string", "The item's linkId in the questionnaire.", "measures.Response.answers"
        ),
        client_id("measures.Response.client"),
        Column(
            "value",
            "number",
            "The answer, when it is a number.",
            "measures.Response.answers[]",
            unit="points",
        ),
        Column(
            "code",
            "string",
            "The answer's code, when it is not a number.",
            "measures.Response.answers[]",
        ),
        text("text", "A free-text answer.", "measures.Response.answers[]"),
    ),
    primary_key=("response_id", "item"),
    foreign_keys=(
        ("response_id", "measure_responses", "response_id"),
        ("client_id", "clients", "client_id"),
    ),
)

FLAGS = Table(
    "flags",
    "Flags",
    "One row per flag raised within the study period: its kind and times only (never its "
    "text or the acknowledging note).",
    (
        pseudonym("flag_id", "the flag", "measures.Flag.id"),
        client_id("measures.Flag.client"),
        pseudonym("response_id", "the response that raised it", "measures.Flag.response"),
        Column(
            "kind",
            "string",
            "What the flag is about.",
            "measures.Flag.kind",
            allowed=codes(Flag.Kind),
        ),
        when("raised_at", "When it was raised.", "measures.Flag.raised_at"),
        when(
            "acknowledged_at", "When a clinician acknowledged it.", "measures.Flag.acknowledged_at"
        ),
    ),
    primary_key=("flag_id",),
    foreign_keys=(
        ("client_id", "clients", "client_id"),
        ("response_id", "measure_responses", "response_id"),
    ),
)

COMPETENCE_RATINGS = Table(
    "competence_ratings",
    "Competence ratings",
    "One row per submitted rating of a therapist's plan work in a session in the export.",
    (
        pseudonym("competence_rating_id", "the rating", "supervision.CompetenceRating.id"),
        pseudonym("session_id", "the session rated", "supervision.CompetenceRating.session"),
        client_id("care.TherapySession.client"),
        pseudonym("therapist_id", "the therapist rated", "supervision.CompetenceRating.therapist"),
        pseudonym("rater_id", "the rater", "supervision.CompetenceRating.rater"),
        Column(
            "self_rating",
            "boolean",
            "The therapist rated their own work.",
            "supervision.CompetenceRating.rater",
        ),
        Column(
            "instrument", "string", "The competence scale (its slug).", "measures.Instrument.slug"
        ),
        Column(
            "instrument_version", "string", "The scale's version.", "measures.Instrument.version"
        ),
        when("submitted_at", "When it was submitted.", "supervision.CompetenceRating.submitted_at"),
        Column(
            "total",
            "number",
            "The total score; empty if too many items were unrated.",
            "supervision.CompetenceRating.scores[total].value",
            unit="points",
        ),
        Column(
            "total_prorated",
            "boolean",
            "The total was prorated over unrated items.",
            "supervision.CompetenceRating.scores[total].prorated",
        ),
        text("comment", "The rater's overall comment.", "supervision.CompetenceRating.comment"),
    ),
    primary_key=("competence_rating_id",),
    foreign_keys=(
        ("session_id", "sessions", "session_id"),
        ("client_id", "clients", "client_id"),
    ),
)

COMPETENCE_ITEMS = Table(
    "competence_items",
    "Competence item scores",
    "One row per rated item of a competence rating.",
    (
        pseudonym("competence_rating_id", "the rating", "supervision.CompetenceRating.id"),
        Column(
            "item",
            "string",
            "The item's linkId in the scale.",
            "supervision.CompetenceRating.answers",
        ),
        client_id("care.TherapySession.client"),
        Column(
            "score",
            "integer",
            "The item's score.",
            "supervision.CompetenceRating.answers[]",
            unit="points",
            allowed="0–6",
        ),
        text(
            "comment", "The rater's comment on the item.", "supervision.CompetenceRating.comments[]"
        ),
    ),
    primary_key=("competence_rating_id", "item"),
    foreign_keys=(
        ("competence_rating_id", "competence_ratings", "competence_rating_id"),
        ("client_id", "clients", "client_id"),
    ),
)
