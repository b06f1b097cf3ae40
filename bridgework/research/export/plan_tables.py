"""The codebook of the tables up to the plan: clients, sessions, goals, plans, their
versions, goals and obstacles (research.export.tables)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from bridgework.accounts.models import Approach
from bridgework.plans.models import Framing, Kind, Obstacle, ProposedBy, Status, Worksheet
from bridgework.research.export.codebook import Column, Table
from bridgework.research.export.columns import client_id, codes, pseudonym, text, when


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
        Column("kind", "string", "Kind of task.", f"{source}.kind", enum=codes(Kind)),
        Column(
            "proposed_by",
            "string",
            "Who proposed the task.",
            f"{source}.proposed_by",
            enum=codes(ProposedBy),
        ),
        Column(
            "framing",
            "string",
            "How the task was framed.",
            f"{source}.framing",
            enum=codes(Framing),
        ),
        Column(
            "approach",
            "string",
            "The therapy approach the wording is for.",
            f"{source}.approach",
            enum=codes(Approach),
        ),
        Column(
            "worksheet",
            "string",
            "The worksheet practice is logged on; empty for none.",
            f"{source}.worksheet",
            enum=codes(Worksheet),
        ),
        Column(
            "importance",
            "integer",
            "Importance to the client.",
            f"{source}.importance",
            unit="points",
            minimum=0,
            maximum=10,
        ),
        Column(
            "confidence",
            "integer",
            "The client's confidence they will do it.",
            f"{source}.confidence",
            unit="points",
            minimum=0,
            maximum=10,
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
    gettext_noop("Clients"),
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
            enum=codes(Approach),
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
    gettext_noop("Therapy sessions"),
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
    gettext_noop("Goals"),
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
    gettext_noop("Action plans"),
    "One row per plan open at some time in the study period, as it stood at the period's "
    "end: its status then, its times up to then, the version then in force; its design, "
    "ratings and words as the plan says them now (plan_versions has them as each version "
    "said them).",
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
            minimum=0,
            maximum=10,
        ),
        Column(
            "imagery_confidence_after",
            "integer",
            "Confidence after imagery rehearsal.",
            "plans.ImageryRehearsal.confidence_after",
            unit="points",
            minimum=0,
            maximum=10,
        ),
        Column(
            "status",
            "string",
            "The plan's status at the end of the study period; empty where its history cannot "
            "tell (agreed, but started by the therapist at an unrecorded time; a client's "
            "proposal accepted at an unrecorded time).",
            "plans.ActionPlan.status",
            enum=codes(Status),
        ),
        Column(
            "version",
            "integer",
            "The version in force at the end of the study period; empty if not agreed by "
            "then. With plan_id it names a row of plan_versions (not declared as a foreign "
            "key: Frictionless would refuse the empty version of a plan never agreed).",
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
    gettext_noop("Plan versions"),
    "One row per agreed version of a plan in the export (a revision, made when a plan is "
    "agreed and after each later change), as the plan then said: the version in force at the "
    "study period's start (made before it) and every later one made before its end.",
    (
        pseudonym("plan_id", "the plan", "plans.PlanRevision.plan"),
        Column(
            "version", "integer", "The version's number (1, 2, …).", "plans.PlanRevision.number"
        ),
        client_id("plans.ActionPlan.client"),
        pseudonym(
            "made_by_id",
            "who made the version (a user: staff, or the client)",
            "plans.PlanRevision.made_by",
        ),
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
    gettext_noop("Goals a plan serves"),
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
    gettext_noop("Obstacles"),
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
            enum=codes(Obstacle.Kind),
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
