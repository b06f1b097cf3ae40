"""Giving and scoring measures, and the flags they raise: audited, one function each."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed
from bridgework.care.models import Client, TherapySession
from bridgework.measures import scoring
from bridgework.measures.models import Flag, Instrument, Response

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE


class RetiredInstrument(Exception):
    """A response to a version that is no longer given."""


def current(slug: str, clinic_id: int | None) -> Instrument | None:
    """The version a new response uses: the clinic's own if it has one, else the shipped."""
    versions = Instrument.objects.filter(slug=slug, retired_at=None)
    return (versions.filter(clinic_id=clinic_id).first() if clinic_id else None) or versions.filter(
        clinic=None
    ).first()


@transaction.atomic
def respond(
    client: Client,
    instrument: Instrument,
    answers: dict[str, int],
    *,
    by: User,
    session: TherapySession | None = None,
) -> tuple[Response, list[Flag]]:
    """Score the answers at once, store them with the version they answered, and raise the
    flags they call for."""
    if instrument.retired_at is not None:
        raise RetiredInstrument(
            _(
                "This version of the questionnaire is no longer in use. "
                "Reload the page to answer the current one."
            )
        )
    scoring.check_answers(instrument.definition, answers)
    scores = {
        s.id: {
            "value": s.value,
            "band": s.band,
            "above_cutoff": s.above_cutoff,
            "prorated": s.prorated,
        }
        for s in scoring.score(instrument.definition, answers)
    }
    previous = Response.objects.filter(client=client, instrument__slug=instrument.slug).first()
    response = Response.objects.create(
        client=client,
        instrument=instrument,
        session=session,
        answers=answers,
        scores=scores,
        entered_by=by,
    )
    changed(by, CREATE, "response", response.pk, clinic_id=client.clinic_id, client_id=client.pk)
    flags = [
        raise_flag(client, Flag.Kind.RISK, str(flag.get("text") or flag["id"]), response)
        for flag in scoring.raised_flags(instrument.definition, answers)
    ]
    deterioration = deteriorated(instrument, previous, response)
    if deterioration:
        flags.append(raise_flag(client, Flag.Kind.DETERIORATION, deterioration, response))
    return response, flags


def deteriorated(instrument: Instrument, previous: Response | None, response: Response) -> str:
    """Jacobson–Truax: worse by at least the instrument's reliable-change threshold."""
    rule = instrument.definition["scoring"]["scores"][0]
    threshold = scoring.reliable_change_threshold(rule)
    before, after = (previous.total() if previous else None), response.total()
    if threshold is None or before is None or after is None or after - before < threshold:
        return ""
    return _(
        "%(title)s rose from %(before)g to %(after)g, a reliable deterioration (a change "
        "of %(threshold)g or more)."
    ) % {"title": instrument.title, "before": before, "after": after, "threshold": threshold}


def raise_flag(client: Client, kind: str, text: str, response: Response | None = None) -> Flag:
    flag = Flag.objects.create(client=client, kind=kind, text=text[:500], response=response)
    changed(None, CREATE, "flag", flag.pk, clinic_id=client.clinic_id, client_id=client.pk)
    return flag


@transaction.atomic
def acknowledge(flag: Flag, *, by: User, note: str) -> Flag:
    if flag.acknowledged_at is None:
        flag.acknowledged_at, flag.acknowledged_by, flag.note = timezone.now(), by, note.strip()
        flag.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
        changed(
            by, CHANGE, "flag", flag.pk, clinic_id=flag.client.clinic_id, client_id=flag.client_id
        )
    return flag


def answers_from(instrument: Instrument, form: dict[str, Any]) -> dict[str, int]:
    """The answers posted for the instrument's items (unanswered items are left out)."""
    answers = {}
    for item in instrument.definition["item"]:
        raw = str(form.get(f"item-{item['linkId']}", "")).strip()
        if raw:
            answers[item["linkId"]] = int(raw) if raw.lstrip("-").isdigit() else -999
    return answers
