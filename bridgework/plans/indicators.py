"""Plan-quality indicators: what the record itself shows about how a plan was designed,
assigned and reviewed (step 12 of the clinical process).

`indicators()` is pure: it takes the facts of one plan and returns, for each indicator, True
(present), False (absent) or None (not applicable yet, e.g. a review that is not yet due).
`facts_of()` gathers those facts from a plan whose relations were prefetched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext_lazy as _

from bridgework.plans.models import ActionPlan, Decision, ProposedBy, Status
from bridgework.plans.review import LOW_ENGAGEMENT

LABELS = {
    "a": _("Linked to a goal and designed jointly"),
    "b": _("Builds on what the client took away from a session"),
    "c": _("Has a rationale"),
    "d": _("At least one obstacle with a coping plan"),
    "e": _("The client has seen the written summary"),
    "f": _("Importance and confidence recorded"),
    "g": _("Reviewed at the next session, and revised or replaced when engagement was low"),
}


@dataclass(frozen=True)
class PlanFacts:
    has_goal: bool
    proposed_by: str
    builds_on_takeaway: bool
    has_rationale: bool
    obstacles_with_coping: int
    seen_by_client: bool
    importance_recorded: bool
    confidence_recorded: bool
    review_due: bool  # the session where it should be reviewed has happened, or it was closed
    reviewed: bool
    last_done: int | None
    last_decision: str | None
    replaced: bool


def indicators(facts: PlanFacts) -> dict[str, bool | None]:
    low_engagement = facts.last_done is not None and facts.last_done <= LOW_ENGAGEMENT
    acted_on = facts.last_decision in (Decision.MODIFY, Decision.STOP) or facts.replaced
    review: bool | None = None
    if facts.reviewed:
        review = acted_on if low_engagement else True
    elif facts.review_due:
        review = False
    return {
        # A plan the client proposed and then shaped with the therapist counts as joint work.
        "a": facts.has_goal and facts.proposed_by in (ProposedBy.JOINTLY, ProposedBy.CLIENT),
        "b": facts.builds_on_takeaway,
        "c": facts.has_rationale,
        "d": facts.obstacles_with_coping > 0,
        "e": facts.seen_by_client,
        "f": facts.importance_recorded and facts.confidence_recorded,
        "g": review,
    }


def score(results: dict[str, bool | None]) -> tuple[int, int]:
    """(present, applicable)."""
    applicable = [value for value in results.values() if value is not None]
    return sum(1 for value in applicable if value), len(applicable)


def facts_of(plan: ActionPlan, now: datetime) -> PlanFacts:
    """Uses plan.goals, plan.obstacles, plan.reviews and plan.successors: prefetch them."""
    reviews = list(plan.reviews.all())
    last = reviews[-1] if reviews else None
    session = plan.review_session
    return PlanFacts(
        has_goal=bool(plan.goals.all()),
        proposed_by=plan.proposed_by,
        builds_on_takeaway=bool(plan.builds_on and plan.builds_on.takeaway.strip()),
        has_rationale=bool(plan.rationale.strip()),
        obstacles_with_coping=sum(1 for o in plan.obstacles.all() if o.coping_plan.strip()),
        seen_by_client=plan.first_seen_by_client_at is not None,
        importance_recorded=plan.importance is not None,
        confidence_recorded=plan.confidence is not None,
        review_due=plan.status == Status.REVIEWED
        or (session is not None and session.starts_at <= now),
        reviewed=last is not None,
        last_done=last.done if last else None,
        last_decision=last.decision if last else None,
        replaced=bool(plan.successors.all()),
    )
