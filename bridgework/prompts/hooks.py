"""Questions prompts asks the apps above it, answered in their AppConfig.ready()
(bridgework.lib.hooks); prompts never imports them. A questionnaire reminder ("before every
booked session") names questionnaires by slug; what they are, and whether the client has filled
them in, measures knows."""

from __future__ import annotations

from django.http import HttpRequest

from bridgework.care.models import Client
from bridgework.lib.hooks import Hook
from bridgework.prompts.models import Prompt

# The questionnaires a client can be given, slug → name: the reminders form's choices.
questionnaires_offered: Hook[[Client], dict[str, str]] = Hook(
    "the questionnaires a client can be given"
)

# The questionnaires a reminder asks for that the client has not filled in since the last
# session, in turn: where its link leads (`request` reads them through the doors).
questionnaires_left: Hook[[HttpRequest, Prompt], list[str]] = Hook(
    "the questionnaires a reminder still asks for"
)
