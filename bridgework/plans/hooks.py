"""Questions plans' pages ask the apps above it, answered in their AppConfig.ready()
(bridgework.lib.hooks); plans never imports them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

from bridgework.care.models import Client
from bridgework.lib.hooks import Hook
from bridgework.plans.models import ActionPlan

# The review page's "Practice since it was agreed": the plan's practice logs, newest first, as
# the HTML the page shows. (Answered by practice, which renders its own lines.)
practice_of: Hook[[HttpRequest, ActionPlan], SafeString] = Hook("a plan's practice, for its review")


@dataclass(frozen=True)
class WorksheetFields:
    """A worksheet's current version as seeds need it: its number, and each field's JSON
    Schema by name (an empty mapping for a worksheet that does not exist)."""

    version: int
    fields: Mapping[str, Mapping[str, Any]]


# What a worksheet's current version holds, for checking a template's seeds and a plan's
# seeded values (plans.seeds). Answered by practice, which owns the worksheets.
worksheet_fields: Hook[[str], WorksheetFields] = Hook("the fields of a worksheet's version")

# What is wrong with a plan's designed reminders (plans.reminders), by field: their rule, and
# for a plan (None: a template's suggestion) the channels its client consented to and whether
# a reminder "once, after the session" would still come. Empty: fine. (Answered by prompts,
# which owns the rules and the channels.)
reminder_problems: Hook[[ActionPlan | None, dict[str, Any]], dict[str, str]] = Hook(
    "what is wrong with a plan's designed reminders"
)

# The ways beyond the app a reminder may reach this client now (their consents), as
# (value, label) choices for the editor. (Answered by prompts.)
reminder_channels: Hook[[Client], list[tuple[str, str]]] = Hook(
    "the ways a reminder may reach a client"
)

# The reminders an agreed or active plan's designed schedule says now, as a design ({} when
# it has none): the client may have moved its times since the session. (Answered by prompts.)
reminders_now: Hook[[ActionPlan], dict[str, Any]] = Hook("a plan's designed reminders as set now")

# A design (or a template's suggested rule as {"rule": …}) in words, in the active language:
# "Every day at 19:00 · also by e-mail". (Answered by prompts.)
reminders_in_words: Hook[[dict[str, Any]], str] = Hook("a plan's designed reminders in words")
