"""What the client does with a prompt: opens, answers or snoozes it; each step is in the
prompt's life cycle and in the audit trail."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import Snapshot, changed, snapshot
from bridgework.care.models import Client
from bridgework.prompts import rules
from bridgework.prompts.models import Prompt, PromptEvent
from bridgework.prompts.states import WAITING_FOR_ANSWER

CHANGE = AccessEvent.Action.CHANGE


@transaction.atomic
def mark_opened(prompt: Prompt, *, by: User) -> Prompt:
    if prompt.state in (*WAITING_FOR_ANSWER, Prompt.State.SNOOZED) and not prompt.opened_at:
        was = snapshot(prompt)
        prompt.state, prompt.opened_at = Prompt.State.OPENED, timezone.now()
        prompt.save(update_fields=["state", "opened_at"])
        client_step(prompt, Prompt.State.OPENED, by=by, before=was)
    return prompt


def client_step(
    prompt: Prompt, state: str, *, by: User, before: Snapshot, minutes: int | None = None
) -> None:
    """A step the client took with a prompt: in its life cycle and in the audit trail."""
    detail = f"{minutes} minutes" if minutes else ""
    PromptEvent.objects.create(prompt=prompt, state=state, detail=detail)
    step = {"step": state} | ({"minutes": minutes} if minutes else {})
    changed(by, CHANGE, prompt, before=before, detail=step)


@transaction.atomic
def answer(prompt_id: int, client: Client, *, by: User) -> Prompt | None:
    """Mark a prompt answered: by the action that saves its answer (a practice log, check-in
    or the last questionnaire), or on opening a questionnaire reminder whose questionnaires
    are all filled in already. A prompt of another client, or one already closed, is ignored."""
    prompt = client.prompts.filter(pk=prompt_id).first()  # the client comes with it
    if prompt is None or prompt.state in (Prompt.State.ANSWERED, Prompt.State.CANCELLED):
        return prompt
    was = snapshot(prompt)
    prompt.state, prompt.answered_at = Prompt.State.ANSWERED, timezone.now()
    prompt.save(update_fields=["state", "answered_at"])
    client_step(prompt, Prompt.State.ANSWERED, by=by, before=was)
    return prompt


SNOOZE_CHOICES = (10, 30, 60, 120)


def snooze_choices(prompt: Prompt, now: datetime | None = None) -> list[int]:
    """Snoozes that still end before the prompt expires."""
    now = now or timezone.now()
    return [m for m in SNOOZE_CHOICES if now + timedelta(minutes=m) < prompt.expires_at]


@transaction.atomic
def snooze(prompt: Prompt, minutes: int, *, by: User) -> Prompt:
    if minutes not in snooze_choices(prompt) or prompt.state not in WAITING_FOR_ANSWER:
        raise rules.RuleError(
            {
                "minutes": _("This reminder can't be snoozed that long: it closes at %(time)s.")
                % {"time": timezone.localtime(prompt.expires_at).strftime("%H:%M")}
            }
        )
    was = snapshot(prompt)
    prompt.state = Prompt.State.SCHEDULED
    prompt.next_attempt_at = timezone.now() + timedelta(minutes=minutes)
    # Sent again when the snooze ends: not a hand-over a killed worker left behind (worker.py).
    prompt.handed_over_at = None
    prompt.save(update_fields=["state", "next_attempt_at", "handed_over_at"])
    client_step(prompt, Prompt.State.SNOOZED, by=by, before=was, minutes=minutes)
    return prompt
