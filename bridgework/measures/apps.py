from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MeasuresConfig(AppConfig):
    name = "bridgework.measures"
    label = "measures"

    def ready(self) -> None:
        from bridgework.measures import due
        from bridgework.measures.library import sync_after_migrate
        from bridgework.plans.signals import plan_reviewed
        from bridgework.practice.hooks import questionnaires_due
        from bridgework.prompts import hooks as prompts
        from bridgework.prompts.signals import worker_housekeeping, worker_step

        post_migrate.connect(sync_after_migrate, sender=self)
        # The layers below tell measures through these (STYLE.md, "Layers").
        plan_reviewed.connect(keep_review, dispatch_uid="measures.keep_review")
        worker_step.connect(send_flag_notices, dispatch_uid="measures.send_flag_notices")
        worker_housekeeping.connect(look_for_silence, dispatch_uid="measures.look_for_silence")
        questionnaires_due.answer_with(due.on_today)
        prompts.questionnaires_offered.answer_with(due.questionnaires)
        prompts.questionnaires_left.answer_with(due.left_by)


def keep_review(sender: Any, *, plan: Any, review: Any, by: Any, session: Any, **kw: Any) -> None:
    """A review's answers are a response to the Action Plan Review instrument too (so they sit
    beside the questionnaires); and a review may show persistent non-engagement."""
    from bridgework.measures.actions import check_non_engagement, record_review

    review.response = record_review(plan.client, review.answers, by=by, session=session)
    review.save(update_fields=["response"])
    check_non_engagement(plan.client)


def send_flag_notices(sender: Any, *, worker: str, lease: Any, **kwargs: Any) -> int:
    """Each worker step, before its reminders: one batch of risk flags' notices."""
    from bridgework.measures import alerts

    return alerts.send_due(worker, lease=lease)


def look_for_silence(sender: Any, **kwargs: Any) -> None:
    from bridgework.measures.actions import check_silence

    check_silence()
