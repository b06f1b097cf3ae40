"""The codebook of the tables of outcome and supervision: questionnaire responses, their
scores and items, flags, and competence ratings (research.export.tables)."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from bridgework.measures.models import Flag
from bridgework.research.export.codebook import Column, Table
from bridgework.research.export.columns import client_id, codes, pseudonym, text, when

MEASURE_RESPONSES = Table(
    "measure_responses",
    gettext_noop("Questionnaire responses"),
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
    gettext_noop("Questionnaire scores"),
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
    gettext_noop("Questionnaire items"),
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
            "The answer's code, when it is not a number: only a code the questionnaire's "
            "definition declares for the item (any other word is left out).",
            "measures.Response.answers[]",
        ),
        text("text", "A text item's answer.", "measures.Response.answers[]"),
    ),
    primary_key=("response_id", "item"),
    foreign_keys=(
        ("response_id", "measure_responses", "response_id"),
        ("client_id", "clients", "client_id"),
    ),
)

FLAGS = Table(
    "flags",
    gettext_noop("Flags"),
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
            enum=codes(Flag.Kind),
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
    gettext_noop("Competence ratings"),
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
    gettext_noop("Competence item scores"),
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
            minimum=0,
            maximum=6,
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
