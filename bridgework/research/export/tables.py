"""The tables of a study's export and their codebook: every column's type, unit, allowed
values, meaning and source. The rows come from research.export.rows and .outcomes (one
generator a table, in the order of the columns here); writers and datapackage.json read only this.

Every id is a study pseudonym (research.export.pseudonyms) and every table carries the
client's pseudonym, so any two tables join on client_id, and each step from plan to outcome
joins on the pseudonym of the step before it (plan_id, prompt_id, session_id, response_id…).

The columns are declared in plan_tables (up to the plan), practice_tables (the client's
engagement with it: prompts, practice, check-ins, reviews) and measure_tables (outcome:
questionnaires, flags; and supervision's competence ratings).
"""

from __future__ import annotations

from bridgework.research.export.codebook import Column, Table
from bridgework.research.export.measure_tables import (
    COMPETENCE_ITEMS,
    COMPETENCE_RATINGS,
    FLAGS,
    MEASURE_ITEMS,
    MEASURE_RESPONSES,
    MEASURE_SCORES,
)
from bridgework.research.export.plan_tables import (
    CLIENTS,
    GOALS,
    OBSTACLES,
    PLAN_GOALS,
    PLAN_VERSIONS,
    PLANS,
    SESSIONS,
)
from bridgework.research.export.practice_tables import (
    CHECKINS,
    PRACTICE_LOGS,
    PROMPTS,
    RATINGS,
    REVIEWS,
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
