"""Shared-screen mode: the therapist turns the screen to the client while they design a plan
together. Only this client's plan is shown: no caseload, no other names, no navigation. Every
other page redirects back to the plan until the therapist leaves the mode."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from bridgework.plans.models import ActionPlan

KEY = "shared_screen_plan"
WRONG_TRIES = "shared_screen_wrong_exit_passwords"
EXIT_TRIES = 5
EXIT_PATH = "/shared-screen/exit/"
ALWAYS_ALLOWED = ("/static/", "/accounts/sign-out/", EXIT_PATH, "/healthz")


def enter_shared_screen(request: HttpRequest, plan: ActionPlan) -> None:
    request.session[KEY] = plan.pk


def leave_shared_screen(request: HttpRequest) -> None:
    request.session.pop(KEY, None)
    request.session.pop(WRONG_TRIES, None)


def wrong_exit_password(request: HttpRequest) -> bool:
    """Count a wrong password on the way out; True once there have been too many (the session
    then ends: see plans.views.exit_shared_screen)."""
    tries: int = request.session.get(WRONG_TRIES, 0) + 1
    request.session[WRONG_TRIES] = tries
    return tries >= EXIT_TRIES


def plan_in_shared_screen(request: HttpRequest) -> int | None:
    session = getattr(request, "session", None)
    return session.get(KEY) if session is not None else None


class SharedScreenMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        plan_id = plan_in_shared_screen(request)
        if plan_id is not None and not allowed(request.path, plan_id):
            return redirect(f"/plans/{plan_id}/edit/")
        return self.get_response(request)


def allowed(path: str, plan_id: int) -> bool:
    if path.startswith(ALWAYS_ALLOWED):
        return True
    return (
        re.fullmatch(rf"/plans/{plan_id}/(edit/|imagery/|summary/|summary\.pdf)?", path) is not None
    )


def context(request: HttpRequest) -> dict[str, bool]:
    return {"shared_screen": plan_in_shared_screen(request) is not None}
