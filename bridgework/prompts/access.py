"""The doors for prompts, schedules and the calendar feed (see care.access)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.care.access import Need, open_object, record_listing
from bridgework.care.models import Client, Consent
from bridgework.lib.tokens import token_hash
from bridgework.prompts.models import CalendarFeed, Prompt, Schedule


def get_prompt_for_user(request: HttpRequest, prompt_id: int, *, need: Need = Need.READ) -> Prompt:
    prompt = (
        Prompt.objects.select_related("client", "plan", "schedule").filter(pk=prompt_id).first()
    )
    return open_object(
        request, "prompt", prompt_id, prompt, prompt.client if prompt else None, need, False
    )


def get_schedule_for_user(
    request: HttpRequest, schedule_id: int, *, need: Need = Need.READ
) -> Schedule:
    schedule = Schedule.objects.select_related("client", "plan").filter(pk=schedule_id).first()
    client = schedule.client if schedule else None
    return open_object(request, "schedule", schedule_id, schedule, client, need, False)


def prompts_of(request: HttpRequest, client: Client) -> QuerySet[Prompt]:
    record_listing(request, client, "prompts")
    return Prompt.objects.filter(client=client)


def schedules_of(request: HttpRequest, client: Client) -> QuerySet[Schedule]:
    record_listing(request, client, "schedules")
    return Schedule.objects.filter(client=client, superseded_at=None, ended_at=None)


def feed_for_token(token: str) -> CalendarFeed:
    """The calendar app's door: the secret address is the only credential. A revoked or
    unknown address is 404."""
    feed = (
        CalendarFeed.objects.select_related("client")
        .filter(token_hash=token_hash(token), revoked_at=None)
        .first()
    )
    # Only while the client consents to it (a withdrawal also revokes the address).
    if (
        feed is None
        or not feed.client.consents.filter(
            purpose=Consent.Purpose.REMINDERS_CALENDAR, withdrawn_at=None
        ).exists()
    ):
        raise Http404
    trail.record(
        actor_id=None,
        actor_role="calendar-feed",
        action=AccessEvent.Action.VIEW,
        object_type="calendar-feed",
        object_id=feed.pk,
        clinic_id=feed.client.clinic_id,
        client_id=feed.client_id,
        defer=True,
    )
    return feed
