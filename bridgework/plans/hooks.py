"""Questions plans' pages ask the apps above it, answered in their AppConfig.ready()
(bridgework.lib.hooks); plans never imports them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString

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
