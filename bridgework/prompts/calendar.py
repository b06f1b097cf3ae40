"""The client's private calendar feed: their coming reminders as iCalendar events with an
alarm at each moment, for any phone calendar to subscribe to. Like every message, the events
say "a reminder" and link into the app; what the reminder is about stays in the app."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Alarm, Calendar, Event

from bridgework.care.models import Client
from bridgework.prompts.models import Channel, Prompt
from bridgework.prompts.states import PENDING

EVENT_LENGTH = timedelta(minutes=15)


def render(client: Client) -> bytes:
    language = client.user.language if client.user else settings.LANGUAGE_CODE
    with translation.override(language):
        calendar = Calendar()
        calendar.add("prodid", "-//Bridgework//Reminders//EN")
        calendar.add("version", "2.0")
        calendar.add("x-wr-calname", "Bridgework")
        for prompt in coming(client):
            calendar.add_component(event_for(prompt))
        return bytes(calendar.to_ical())


def coming(client: Client) -> list[Prompt]:
    now = timezone.now()
    prompts = Prompt.objects.filter(
        client=client,
        state__in=PENDING,
        due_at__gte=now - EVENT_LENGTH,
    ).select_related("schedule")
    return [p for p in prompts if Channel.CALENDAR in p.schedule.channels]


def event_for(prompt: Prompt) -> Event:
    link = f"{settings.SITE_URL}/me/prompts/{prompt.pk}/"
    event = Event()
    event.add("uid", f"prompt-{prompt.pk}@bridgework")
    event.add("summary", _("Bridgework reminder"))
    event.add("description", _("Open Bridgework: %(link)s") % {"link": link})
    event.add("url", link)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", prompt.due_at)
    event.add("dtend", prompt.due_at + EVENT_LENGTH)
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", _("Bridgework reminder"))
    alarm.add("trigger", timedelta(0))
    event.add_component(alarm)
    return event
