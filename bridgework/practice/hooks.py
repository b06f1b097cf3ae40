"""Questions practice's pages ask the apps above it, answered in their AppConfig.ready()
(bridgework.lib.hooks); practice never imports them."""

from __future__ import annotations

from django.http import HttpRequest

from bridgework.care.models import Client
from bridgework.lib.hooks import Hook

# Today's "Before your next session": slug and name of each questionnaire the client is due to
# fill in now, in the client's language. (Answered by measures.)
questionnaires_due: Hook[[HttpRequest, Client], list[tuple[str, str]]] = Hook(
    "the questionnaires due on the client's Today"
)
