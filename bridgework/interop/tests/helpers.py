"""Tokens for the cast, and requests with them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.test import Client as Browser
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.interop import actions
from bridgework.interop.models import AccessToken, Area


def token_for(
    user: User, *, write: bool = True, areas: list[str] | None = None, days: int = 30
) -> tuple[AccessToken, str]:
    """A token of `user`, made as the tokens page makes it (the cast's clinics need no second
    factor)."""
    return actions.create_token(
        user,
        name="Test script",
        can_write=write,
        areas=areas if areas is not None else list(Area.values),
        expires_on=timezone.localdate() + timedelta(days=days),
    )


def call(browser: Browser, method: str, url: str, secret: str | None, body: Any = None) -> Any:
    headers = {"Authorization": f"Bearer {secret}"} if secret else {}
    if body is None:
        return getattr(browser, method)(url, headers=headers)
    return getattr(browser, method)(url, body, content_type="application/json", headers=headers)
