from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class PromptsConfig(AppConfig):
    name = "bridgework.prompts"
    label = "prompts"

    def ready(self) -> None:
        from bridgework.accounts.signals import signed_out_everywhere

        signed_out_everywhere.connect(forget_phones, dispatch_uid="prompts.forget_phones")


def forget_phones(sender: Any, *, user: Any, **kwargs: Any) -> None:
    """Signing out on a phone unsubscribes it from push (client-app.js); signed out
    everywhere at once, no phone gets to run that, so the server forgets them all."""
    from bridgework.prompts.actions import forget_push_subscriptions

    record = getattr(user, "client_record", None) if user.is_client else None
    if record is not None:
        forget_push_subscriptions(record, by=user)
