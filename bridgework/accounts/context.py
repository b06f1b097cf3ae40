from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from bridgework.accounts.models import User


def roles(request: HttpRequest) -> dict[str, Any]:
    """What the navigation needs to know about the person signed in."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {
        "clinic": user.clinic,
        "plan_word": user.clinic.plan_word,
        "plan_word_plural": user.clinic.plan_word_plural,
    }
