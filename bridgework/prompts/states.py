"""Which prompt states, plan statuses and consents count as what, for the modules that change
prompts (planner, schedules, dispatch, steps) and the pages that show them.

A prompt's life cycle is kept as PromptEvent rows: scheduled → sent / delivered → opened →
answered, or snoozed, expired, failed (with the reason) or cancelled (its schedule changed or
its plan ended).
"""

from __future__ import annotations

from bridgework.care.models import Consent
from bridgework.plans.models import Status
from bridgework.prompts.models import Channel, Prompt

CONSENT_FOR = {
    Channel.EMAIL: Consent.Purpose.REMINDERS_EMAIL,
    Channel.PUSH: Consent.Purpose.REMINDERS_PUSH,
    Channel.CALENDAR: Consent.Purpose.REMINDERS_CALENDAR,
}
OPEN_PLAN = (Status.AGREED, Status.ACTIVE)
PENDING = (Prompt.State.SCHEDULED, Prompt.State.SNOOZED)
WAITING_FOR_ANSWER = (Prompt.State.SENT, Prompt.State.DELIVERED, Prompt.State.OPENED)
