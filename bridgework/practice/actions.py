"""Every change to practice logs, check-ins and check-in scales: audited, validated, and
idempotent by the client-made uid, so an entry sent twice (or twice at once) is kept once."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed, snapshot
from bridgework.care.models import Client
from bridgework.plans.models import ActionPlan, Status
from bridgework.practice import worksheets
from bridgework.practice.models import (
    MAX_NOTE,
    CheckIn,
    CheckInScale,
    Outcome,
    PracticeLog,
    Rating,
    active_scales,
    may_be_private,
)
from bridgework.prompts import steps

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE
LOGGABLE = (Status.AGREED, Status.ACTIVE)
Entry = TypeVar("Entry", PracticeLog, CheckIn)  # what the phone's outbox sends


class EntryRefused(Exception):
    """What is wrong with an entry, by form field name ("__all__" for the entry as a whole)."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class Saved:
    entry: Any
    created: bool  # False: this uid was already stored, nothing new was written


def once(model: type[Entry], uid: uuid.UUID, client: Client, create: Callable[[], Entry]) -> Saved:
    """Create the entry unless its uid is stored already. The unique constraint, not a prior
    look-up, decides: two requests racing with the same uid make exactly one row (and the
    common case, a new entry, costs no look-up at all)."""
    try:
        with transaction.atomic():
            return Saved(create(), True)
    except IntegrityError:
        existing = model._default_manager.filter(uid=uid).first()
        if existing is None:
            raise
    if existing.client_id != client.pk:
        raise EntryRefused({"__all__": _("This entry could not be saved. Please try again.")})
    return Saved(existing, False)


def check_plan(client: Client, plan: ActionPlan | None) -> None:
    if plan is None:
        return
    if plan.client_id != client.pk:
        raise EntryRefused({"plan": _("That plan is not one of yours.")})
    if plan.status not in LOGGABLE:
        raise EntryRefused(
            {
                "plan": _(
                    "This plan has ended, so practice can't be added to it. "
                    "You can write about it in your diary instead."
                )
            }
        )


def check_privacy(private: bool, plan_id: int | None, worksheet: str) -> None:
    if private and not may_be_private(plan_id, worksheet):
        raise EntryRefused({"visible_to": _("Only diary entries can be kept private.")})


def check_texts(**texts: str) -> None:
    for name, text in texts.items():
        if len(text) > MAX_NOTE:
            raise EntryRefused(
                {
                    name: _(
                        "This is too long: please keep it under %(n)d characters (it has %(has)d)."
                    )
                    % {"n": MAX_NOTE, "has": len(text)}
                }
            )


def log_practice(
    client: Client,
    *,
    by: User,
    uid: uuid.UUID,
    plan: ActionPlan | None,
    outcome: str,
    sheet: worksheets.Worksheet,
    entries: dict[str, Any],
    practiced_at: datetime | None = None,
    duration_minutes: int | None = None,
    obstacles_note: str = "",
    note: str = "",
    private: bool = False,
    prompt: int | None = None,
) -> Saved:
    check_plan(client, plan)
    if outcome and outcome not in Outcome.values:
        raise EntryRefused({"outcome": _("Choose how it went.")})
    check_privacy(private, plan.pk if plan else None, sheet.slug)
    check_texts(obstacles_note=obstacles_note, note=note)
    problems = worksheets.validate(sheet, entries)
    if problems:
        raise EntryRefused({f"entries.{name}": message for name, message in problems.items()})

    def create() -> PracticeLog:
        log = PracticeLog.objects.create(
            uid=uid,
            client=client,
            plan=plan,
            created_by=by,
            outcome=outcome,
            practiced_at=practiced_at or timezone.now(),
            duration_minutes=duration_minutes,
            worksheet=sheet.slug,
            worksheet_version=sheet.version,
            entries=entries,
            obstacles_note=obstacles_note.strip(),
            note=note.strip(),
            is_private=private,
        )
        # The same object type for every entry, private or shared, and `is_private` named
        # only (PracticeLog.audit_names_only): the trail, which a clinic admin reads by client
        # name, must not tell which entries are private.
        changed(by, CREATE, log)
        if prompt is not None:
            link_to_prompt(log, prompt, client, by)
        return log

    return once(PracticeLog, uid, client, create)


def check_in(
    client: Client,
    *,
    by: User,
    uid: uuid.UUID,
    ratings: dict[int, Any],
    answered_at: datetime | None = None,
    prompt: int | None = None,
) -> Saved:
    scales = {scale.pk: scale for scale in active_scales(client)}
    problems = {}
    for scale_id, value in ratings.items():
        if scale_id not in scales:
            problems["__all__"] = _("One of these scales is no longer in use. Reload the page.")
        elif not isinstance(value, int) or not 0 <= value <= 100:
            problems[f"scale-{scale_id}"] = _(
                "“%(scale)s”: enter a whole number from 0 to 100."
            ) % {"scale": scales[scale_id].name}
    if not ratings:
        problems["__all__"] = _("Rate at least one scale.")
    if problems:
        raise EntryRefused(problems)

    def create() -> CheckIn:
        entry = CheckIn.objects.create(
            uid=uid, client=client, created_by=by, answered_at=answered_at or timezone.now()
        )
        Rating.objects.bulk_create(
            Rating(check_in=entry, scale=scales[scale_id], value=value)
            for scale_id, value in ratings.items()
        )
        changed(by, CREATE, entry, detail={"scales": sorted(ratings)})  # which, not the values
        if prompt is not None:
            link_to_prompt(entry, prompt, client, by)
        return entry

    return once(CheckIn, uid, client, create)


def link_to_prompt(entry: PracticeLog | CheckIn, prompt_id: int, client: Client, by: User) -> None:
    """The entry answers the prompt that asked for it: the prompt is answered, and the time
    from prompt to answer is known."""
    prompt = steps.answer(prompt_id, client, by=by)
    if prompt is not None and prompt.client_id == client.pk:
        type(entry).objects.filter(pk=entry.pk).update(prompt=prompt)
        entry.prompt = prompt


@transaction.atomic
def add_scale(
    client: Client, *, by: User, name: str, low_anchor: str, high_anchor: str
) -> CheckInScale:
    position = CheckInScale.objects.filter(client=client).count()
    scale = CheckInScale.objects.create(
        client=client,
        name=name.strip(),
        position=position,
        low_anchor=low_anchor.strip(),
        high_anchor=high_anchor.strip(),
    )
    changed(by, CREATE, scale)
    return scale


@transaction.atomic
def retire_scale(scale: CheckInScale, *, by: User) -> None:
    """Stop asking; the ratings already given stay."""
    was = snapshot(scale)
    scale.is_active = False
    scale.save(update_fields=["is_active"])
    changed(by, CHANGE, scale, before=was)


@transaction.atomic
def set_privacy(log: PracticeLog, *, by: User, private: bool) -> PracticeLog:
    """The client shares a diary entry with their care team, or makes it private again (from
    then on: what the team has read, it has read; the entry's page says so)."""
    check_privacy(private, log.plan_id, log.worksheet)
    if log.is_private != private:
        was = snapshot(log)
        log.is_private = private
        log.save(update_fields=["is_private"])
        # A change to the entry, not which way it went: the trail must not tell a clinic admin
        # which entries are private (so neither the object type nor a recorded value may).
        changed(by, CHANGE, log, before=was)
    return log
