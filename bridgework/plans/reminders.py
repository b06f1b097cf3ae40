"""The reminders a plan is designed with (step 6 of the clinical process: the cue becomes a
reminder on the channels the client consented to).

A plan stores its design as plain data, `ActionPlan.reminders`: {"rule": {...}, "channels":
[...]}, or {} for "no reminders". The rule has the keys of a reminder schedule's rule (fixed
times on chosen days, a time after the session, random moments in a window); the channels are
the ways beyond the app. Plans keeps the design and asks prompts, above it, whether a design is
possible for a client (plans.hooks); once the plan is agreed, prompts keeps the plan's schedule
in line with it (plans.signals). See docs/architecture.md, "Reminders designed with the plan".
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from bridgework.plans.hooks import reminder_problems
from bridgework.plans.models import ActionPlan, PlanTemplate

NONE: dict[str, Any] = {}


class RemindersRefused(Exception):
    """A design the rule or the client's consents do not allow: problems by field (the rule's
    field names, and "channels"). Nothing of the change it came with is saved."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems

    def __str__(self) -> str:
        return _("Reminders: %(problems)s") % {"problems": " ".join(self.problems.values())}


def suggested(template: PlanTemplate | None) -> dict[str, Any]:
    """A template's suggestion as a design: its rule, in the app only (the client chooses any
    other way with the therapist, among those they consented to)."""
    if template is None or not template.reminders:
        return dict(NONE)
    return {"rule": dict(template.reminders), "channels": []}


def check(plan: ActionPlan, design: dict[str, Any]) -> None:
    """Raise RemindersRefused when the design does not fit its rule or the client's consents,
    or would never remind (once after a session the plan was not set in, or that has passed)."""
    if not design:
        return
    problems = reminder_problems(plan, design)
    if problems:
        raise RemindersRefused(problems)
