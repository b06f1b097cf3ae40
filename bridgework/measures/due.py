"""Which questionnaires a client is due to fill in. The therapist chooses them per client on the
reminders page ("before every booked session", with the questionnaires to send); a
questionnaire is due until the client has filled it in since their last session (see
care.sessions for what "last" means during a session)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import get_language

from bridgework.care.models import Client
from bridgework.care.sessions import since_last_session


def questionnaires(
    client: Client, language: str | None = None, only: list[str] | None = None
) -> dict[str, str]:
    """The questionnaires a client can be given, slug → name (in `language` where the
    definition has it; as written without one): current versions of the shipped instruments
    and the clinic's own, but not the review (that belongs to a plan) nor the competence
    scales (they rate a therapist). `only` narrows them."""
    from bridgework.measures.actions import REVIEW
    from bridgework.measures.definitions import translated
    from bridgework.measures.models import Instrument

    found = (
        Instrument.objects.filter(retired_at__isnull=True, rates=Instrument.Rates.CLIENT)
        .filter(Q(clinic=None) | Q(clinic=client.clinic_id))
        .exclude(slug=REVIEW)
        .order_by("slug")
    )
    if only is not None:
        found = found.filter(slug__in=only)
    if language is None:  # no definitions to decode
        return dict(found.values_list("slug", "title"))
    return {
        slug: translated(definition, "title", language) or title
        for slug, title, definition in found.values_list("slug", "title", "definition")
    }


def named(client: Client, slugs: list[str], language: str | None = None) -> list[tuple[str, str]]:
    """Slug and name of each of `slugs` still given (a retired instrument is not), in order."""
    if not slugs:
        return []
    names = questionnaires(client, language, only=slugs)
    return [(slug, names[slug]) for slug in slugs if slug in names]


def scheduled(request: HttpRequest, client: Client, *, opens_by: Any = None) -> list[str]:
    """The questionnaires set for before every session, in the order the schedules name them;
    with `opens_by`, only those whose time before the next booked session has come by then
    (a reminder "24 hours before" opens them 24 hours before the session)."""
    from bridgework.prompts.access import schedules_of
    from bridgework.prompts.models import Schedule
    from bridgework.prompts.rules import Rule

    rules = [
        Rule.from_dict(schedule.rule)
        for schedule in schedules_of(request, client).filter(kind=Schedule.Kind.BEFORE_SESSION)
    ]
    if opens_by is not None and rules:
        upcoming = client.sessions.filter(starts_at__gt=opens_by).order_by("starts_at").first()
        rules = [
            rule
            for rule in rules
            if upcoming and upcoming.starts_at - timedelta(hours=rule.hours_before) <= opens_by
        ]
    slugs: list[str] = []
    for rule in rules:
        slugs += [slug for slug in rule.measures if slug not in slugs]
    return slugs


def still_due(request: HttpRequest, client: Client, slugs: list[str]) -> list[str]:
    """Those of `slugs` not filled in since the last session (care.sessions says what that
    means during a session, and before the first one)."""
    from bridgework.measures.access import responses_of

    if not slugs:
        return []
    done = set(
        responses_of(request, client)
        .filter(completed_at__gte=since_last_session(client), instrument__slug__in=slugs)
        .values_list("instrument__slug", flat=True)
    )
    return [slug for slug in slugs if slug not in done]


def due(
    request: HttpRequest, client: Client, language: str | None = None, *, now: Any = None
) -> list[tuple[str, str]]:
    """Slug and name of each questionnaire set for this client and not filled in since the
    last session; with `now`, only those whose time before the next session has come."""
    slugs = still_due(request, client, scheduled(request, client, opens_by=now))
    return named(client, slugs, language)


def on_today(request: HttpRequest, client: Client) -> list[tuple[str, str]]:
    """Those due now, named in the client's language: the client's Today."""
    return due(request, client, get_language(), now=timezone.now())


def left_by(request: HttpRequest, prompt: Any) -> list[str]:
    """The questionnaires a before-session reminder asks for that are still due, in turn:
    where its link leads."""
    return still_due(request, prompt.client, asked_by(prompt))


def asked_by(prompt: Any) -> list[str]:
    """The questionnaires a before-session reminder asks for, in turn, that are still given."""
    from bridgework.prompts.rules import Rule

    asked = list(Rule.from_dict(prompt.schedule.rule).measures)
    return [slug for slug, _name in named(prompt.client, asked)]
