"""The tables of a study's export and their codebook: every column's type, unit, allowed
values, meaning and source. The rows come from research.export.rows (one generator a table,
in the order of the columns here); writers and datapackage.json read only this.

Every id is a study pseudonym (research.export.pseudonyms) and every table carries the
client's pseudonym, so any two tables join on client_id, and each step from plan to outcome
joins on the pseudonym of the step before it (plan_id, prompt_id, session_id, response_id…).
"""

from __future__ import annotations

from django.db.models import TextChoices

from bridgework.accounts.models import Approach
from bridgework.measures.models import Flag
from bridgework.plans import review as review_questions
from bridgework.plans.models import Decision, Framing, Kind, Obstacle, ProposedBy, Status, Worksheet
from bridgework.practice.models import Outcome
from bridgework.prompts.models import Channel, Prompt, Purpose, Schedule
from bridgework.research.export.codebook import Column, ColumnType, Table


def codes(choices: type[TextChoices]) -> tuple[str, ...]:
    """The codes of a choice, without the empty one (an empty cell means none)."""
    return tuple(str(value) for value in choices.values if value)


def pseudonym(name: str, of: str, source: str) -> Column:
    return Column(name, "string", f"Study pseudonym of {of}.", source)


def client_id(source: str) -> Column:
    return pseudonym("client_id", "the client", source)


def when(name: str, meaning: str, source: str, type: ColumnType = "datetime") -> Column:
    return Column(
        name, type, meaning + " UTC, shifted per client when the study shifts dates.", source
    )


def text(name: str, meaning: str, source: str) -> Column:
    return Column(name, "string", meaning, source, free_text=True)


def plan_text_columns(source: str) -> tuple[Column, ...]:
    return (
        text("title", "The plan's title, in the client's words.", f"{source}.title"),
        text("rationale", "Why this task.", f"{source}.rationale"),
        text("instructions", "What to do.", f"{source}.instructions"),
        text("what", "What exactly.", f"{source}.what"),
        text("when", "When.", f"{source}.when"),
        text("where", "Where.", f"{source}.where"),
        text("how_long", "How long.", f"{source}.how_long"),
        text("how_often", "How often.", f"{source}.how_often"),
        text("with_whom", "With whom.", f"{source}.with_whom"),
        text("cues", "What will remind the client.", f"{source}.cues"),
        text("rehearsal_note", "How it was rehearsed.", f"{source}.rehearsal_note"),
        text("rating_scale", "The 0–100 scale the worksheet asks for.", f"{source}.rating_scale"),
    )


def plan_design_columns(source: str) -> tuple[Column, ...]:
    return (
        Column("kind", "string", "Kind of task.", f"{source}.kind", allowed=codes(Kind)),
        Column(
            "proposed_by",
            "string",
            "Who proposed the task.",
            f"{source}.proposed_by",
            allowed=codes(ProposedBy),
        ),
        Column(
            "framing",
            "string",
            "How the task was framed.",
            f"{source}.framing",
            allowed=codes(Framing),
        ),
        Column(
            "approach",
            "string",
            "The therapy approach the wording is for.",
            f"{source}.approach",
            allowed=codes(Approach),
        ),
        Column(
            "worksheet",
            "string",
            "The worksheet practice is logged on; empty for none.",
            f"{source}.worksheet",
            allowed=codes(Worksheet),
        ),
        Column(
            "importance",
            "integer",
            "Importance to the client.",
            f"{source}.importance",
            unit="points",
            allowed="0–10",
        ),
        Column(
            "confidence",
            "integer",
            "The client's confidence they will do it.",
            f"{source}.confidence",
            unit="points",
            allowed="0–10",
        ),
        Column("rehearsed", "boolean", "Rehearsed in the session.", f"{source}.rehearsed"),
        Column(
            "has_reminders",
            "boolean",
            "Reminders were designed with the plan.",
            f"{source}.reminders",
        ),
    )


CLIENTS = Table(
    "clients",
    "Clients",
    "One row per client with an open research consent, of the study's clinics.",
    (
        client_id("care.Client.id"),
        pseudonym("clinic_id", "the client's clinic", "care.Client.clinic"),
        pseudonym(
            "therapist_id",
            "the client's therapist (first on the care team)",
            "care.CareTeamMembership.member",
        ),
        Column(
            "therapist_approach",
            "string",
            "The therapist's approach.",
            "accounts.User.approach",
            allowed=codes(Approach),
        ),
        when(
            "research_consent_given_at",
            "When the open research consent was given.",
            "care.Consent.given_at",
        ),
        when(
            "discharged_at",
            "When the client was discharged; empty while in care.",
            "care.Client.discharged_at",
        ),
        Column(
            "dates_shifted",
            "boolean",
            "Whether this client's dates are shifted.",
            "research.Study.shift_dates",
        ),
    ),
    primary_key=("client_id",),
)

SESSIONS = Table(
    "sessions",
    "Therapy sessions",
    "One row per therapy session dated within the study period.",
    (
        pseudonym("session_id", "the session", "care.TherapySession.id"),
        client_id("care.TherapySession.client"),
        pseudonym("therapist_id", "the therapist who held it", "care.TherapySession.therapist"),
        Column(
            "number",
            "integer",
            "The session's number in the client's course (1, 2, …).",
            "care.TherapySession.number",
        ),
        when("starts_at", "When the session started.", "care.TherapySession.starts_at"),
        text("takeaway", "What the client took away.", "care.TherapySession.takeaway"),
    ),
    primary_key=("session_id",),
    foreign_keys=(("client_id", "clients", "client_id"),),
)

GOALS = Table(
    "goals",
    "Goals",
    "One row per therapy goal open at some time in the study period.",
    (
        pseudonym("goal_id", "the goal", "care.Goal.id"),
        client_id("care.Goal.client"),
        when("created_at", "When the goal was set.", "care.Goal.created_at"),
        when("achieved_at", "When it was marked achieved; empty if not.", "care.Goal.achieved_at"),
        text("text", "The goal, in the client's words.", "care.Goal.text"),
    ),
    primary_key=("goal_id",),
    foreign_keys=(("client_id", "clients", "client_id"),),
)

PLANS = Table(
    "plans",
    "Action plans",
    "One row per plan open at some time in the study period, as it stands now; its agreed "
    "versions are in plan_versions.",
    (
        pseudonym("plan_id", "the plan", "plans.ActionPlan.id"),
        client_id("plans.ActionPlan.client"),
        pseudonym(
            "set_in_session_id", "the session it was set in", "plans.ActionPlan.set_in_session"
        ),
        pseudonym(
            "review_session_id",
            "the session it is to be reviewed in",
            "plans.ActionPlan.review_session",
        ),
        pseudonym(
            "builds_on_session_id",
            "the session whose takeaway it builds on",
            "plans.ActionPlan.builds_on",
        ),
        pseudonym(
            "replaces_plan_id",
            "the plan it replaces (after a review said modify)",
            "plans.ActionPlan.replaces",
        ),
        Column(
            "template",
            "string",
            "The template it started from (its slug).",
            "plans.PlanTemplate.slug",
        ),
        *plan_design_columns("plans.ActionPlan"),
        Column(
            "imagery_confidence_before",
            "integer",
            "Confidence before imagery rehearsal.",
            "plans.ImageryRehearsal.confidence_before",
            unit="points",
            allowed="0–10",
        ),
        Column(
            "imagery_confidence_after",
            "integer",
            "Confidence after imagery rehearsal.",
            "plans.ImageryRehearsal.confidence_after",
            unit="points",
            allowed="0–10",
        ),
        Column(
            "status",
            "string",
            "The plan's status now.",
            "plans.ActionPlan.status",
            allowed=codes(Status),
        ),
        Column(
            "version",
            "integer",
            "Its latest agreed version (plan_versions.version); empty if never agreed.",
            "plans.PlanRevision.number",
        ),
        when("created_at", "When the plan was started.", "plans.ActionPlan.created_at"),
        when("agreed_at", "When it was agreed.", "plans.ActionPlan.agreed_at"),
        when(
            "first_seen_by_client_at",
            "When the client first opened it.",
            "plans.ActionPlan.first_seen_by_client_at",
        ),
        when("closed_at", "When it was closed (reviewed, declined).", "plans.ActionPlan.closed_at"),
        *plan_text_columns("plans.ActionPlan"),
        text("decline_reason", "Why a proposal was declined.", "plans.ActionPlan.decline_reason"),
    ),
    primary_key=("plan_id",),
    foreign_keys=(
        ("client_id", "clients", "client_id"),
        ("set_in_session_id", "sessions", "session_id"),
        ("review_session_id", "sessions", "session_id"),
        ("builds_on_session_id", "sessions", "session_id"),
        ("replaces_plan_id", "plans", "plan_id"),
    ),
)

PLAN_VERSIONS = Table(
    "plan_versions",
    "Plan versions",
    "One row per agreed version of a plan (a revision, made when a plan is agreed and after "
    "each later change), as the plan then said, within the study period.",
    (
        pseudonym("plan_id", "the plan", "plans.PlanRevision.plan"),
        Column(
            "version", "integer", "The version's number (1, 2, …).", "plans.PlanRevision.number"
        ),
        client_id("plans.ActionPlan.client"),
        pseudonym("made_by_id", "who made the version (staff)", "plans.PlanRevision.made_by"),
        when("made_at", "When the version was made.", "plans.PlanRevision.made_at"),
        *plan_design_columns("plans.PlanRevision.snapshot"),
        Column(
            "obstacles",
            "integer",
            "How many obstacles the plan then named.",
            "plans.PlanRevision.snapshot.obstacles",
            unit="obstacles",
        ),
        Column(
            "goals",
            "integer",
            "How many goals the plan then served.",
            "plans.PlanRevision.snapshot.goals",
            unit="goals",
        ),
        *plan_text_columns("plans.PlanRevision.snapshot"),
        text("note", "The note on the change.", "plans.PlanRevision.note"),
    ),
    primary_key=("plan_id", "version"),
    foreign_keys=(("plan_id", "plans", "plan_id"), ("client_id", "clients", "client_id")),
)

PLAN_GOALS = Table(
    "plan_goals",
    "Goals a plan serves",
    "One row per plan and goal it serves, both in the export.",
    (
        pseudonym("plan_id", "the plan", "plans.ActionPlan.goals"),
        pseudonym("goal_id", "the goal", "plans.ActionPlan.goals"),
        client_id("plans.ActionPlan.client"),
    ),
    primary_key=("plan_id", "goal_id"),
    foreign_keys=(
        ("plan_id", "plans", "plan_id"),
        ("goal_id", "goals", "goal_id"),
        ("client_id", "clients", "client_id"),
    ),
)

OBSTACLES = Table(
    "obstacles",
    "Obstacles",
    "One row per obstacle a plan in the export names now, with its coping plan.",
    (
        pseudonym("obstacle_id", "the obstacle", "plans.Obstacle.id"),
        pseudonym("plan_id", "the plan", "plans.Obstacle.plan"),
        client_id("plans.ActionPlan.client"),
        Column(
            "kind",
            "string",
            "Kind of obstacle.",
            "plans.Obstacle.kind",
            allowed=codes(Obstacle.Kind),
        ),
        Column(
            "position",
            "integer",
            "Its place in the plan's list (0 first).",
            "plans.Obstacle.position",
        ),
        Column(
            "from_template",
            "boolean",
            "Kept from the template's typical obstacles.",
            "plans.Obstacle.suggested_from",
        ),
        text("description", "What might get in the way.", "plans.Obstacle.description"),
        text("coping_plan", "What the client will do then.", "plans.Obstacle.coping_plan"),
    ),
    primary_key=("obstacle_id",),
    foreign_keys=(("plan_id", "plans", "plan_id"), ("client_id", "clients", "client_id")),
)


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
            "The check-in scale's name, or the worksheet field's (list.field for a list's).",
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

TABLES: dict[str, Table] = {
    table.name: table
    for table in (
        CLIENTS,
        SESSIONS,
        GOALS,
        PLANS,
        PLAN_VERSIONS,
        PLAN_GOALS,
        OBSTACLES,
        PROMPTS,
        PRACTICE_LOGS,
        RATINGS,
        CHECKINS,
        REVIEWS,
        MEASURE_RESPONSES,
        MEASURE_SCORES,
        MEASURE_ITEMS,
        FLAGS,
        COMPETENCE_RATINGS,
        COMPETENCE_ITEMS,
    )
}


def columns_of(table: Table, *, include_free_text: bool) -> tuple[Column, ...]:
    """The columns an export writes: free text only when the study includes it."""
    return tuple(c for c in table.columns if include_free_text or not c.free_text)
