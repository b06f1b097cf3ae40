from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PromptsConfig(AppConfig):
    name = "bridgework.prompts"
    label = "prompts"

    def ready(self) -> None:
        from bridgework.accounts.signals import signed_out_everywhere
        from bridgework.care.signals import consent_withdrawn
        from bridgework.plans import hooks as plan_hooks
        from bridgework.plans.signals import plan_agreed, plan_reminders_changed, plan_reviewed
        from bridgework.prompts import designed

        signed_out_everywhere.connect(forget_phones, dispatch_uid="prompts.forget_phones")
        consent_withdrawn.connect(stop_channel, dispatch_uid="prompts.stop_channel")
        # A plan's designed reminders: checked for plans, then kept as the plan's schedule.
        plan_hooks.reminder_problems.answer_with(designed.problems)
        plan_hooks.reminder_channels.answer_with(designed.channels_for)
        plan_hooks.reminders_in_words.answer_with(designed.in_words)
        plan_hooks.reminders_now.answer_with(designed.now_for)
        plan_agreed.connect(designed.on_plan_agreed, dispatch_uid="prompts.plan_agreed")
        plan_reminders_changed.connect(
            designed.on_reminders_changed, dispatch_uid="prompts.plan_reminders_changed"
        )
        plan_reviewed.connect(designed.on_plan_reviewed, dispatch_uid="prompts.plan_reviewed")


def forget_phones(sender: Any, *, user: Any, **kwargs: Any) -> None:
    """Signing out on a phone unsubscribes it from push (client-app.js); signed out
    everywhere at once, no phone gets to run that, so the server forgets them all."""
    from bridgework.prompts.subscriptions import forget_push_subscriptions

    record = getattr(user, "client_record", None) if user.is_client else None
    if record is not None:
        forget_push_subscriptions(record, by=user)


def stop_channel(sender: Any, *, client: Any, purpose: str, by: Any, **kwargs: Any) -> None:
    """A withdrawn reminder consent ends what was set up under it: the calendar address stops
    working for good, phones stop getting notifications. (The worker also checks consent at
    each send, so e-mail stops at once.)"""
    from bridgework.care.models import Consent
    from bridgework.prompts import subscriptions

    if purpose == Consent.Purpose.REMINDERS_CALENDAR:
        subscriptions.revoke_calendar_feeds(client, by=by)
    elif purpose == Consent.Purpose.REMINDERS_PUSH:
        subscriptions.forget_push_subscriptions(client, by=by)
