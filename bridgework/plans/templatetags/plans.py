from __future__ import annotations

from typing import Any

from django import template

from bridgework.plans import details, imagery
from bridgework.plans.hooks import reminders_in_words
from bridgework.plans.models import ActionPlan, Review
from bridgework.plans.review import QUESTIONS, Question

register = template.Library()


@register.filter
def answered(review: Review) -> list[tuple[Question, Any]]:
    """The review's answers in question order, choices shown by their labels."""
    shown = []
    for question in QUESTIONS:
        value = review.answer(question.link_id)
        if value in (None, ""):
            continue
        labels = dict(question.options)
        shown.append((question, labels.get(value, value)))
    return shown


@register.filter
def agreed_details(plan: ActionPlan) -> list[tuple[str, Any]]:
    """The plan's details (plans.details) in the registry's order, labelled."""
    return details.as_agreed(plan.details or {}, voice="staff")


@register.filter
def agreed_details_for_client(plan: ActionPlan) -> list[tuple[str, Any]]:
    """The same, in the client's voice, for their written summary."""
    return details.as_agreed(plan.details or {}, voice="client")


@register.filter
def imagery_recap(plan: ActionPlan) -> list[str]:
    """The written summary's reminder of the rehearsal in imagery: one line a step rehearsed."""
    return imagery.recap_for(plan)


@register.filter
def in_words(reminders: dict[str, Any]) -> str:
    """A plan's designed reminders in words, in the page's language."""
    return reminders_in_words(reminders)
