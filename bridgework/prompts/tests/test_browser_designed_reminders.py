"""In the session the therapist and client adjust the template's suggested reminder; once the
plan is agreed, the reminder reaches the client's Today when its time comes."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bridgework.care import actions as care
from bridgework.plans import actions as plans
from bridgework.prompts import planner
from bridgework.prompts.models import Prompt, Schedule
from bridgework.prompts.worker import Worker
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_reminder_adjusted_in_the_editor_reaches_today_when_it_is_due(
    live_server, desktop: Page, phone: Page
) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    care.add_session(
        client, therapist=therapist, by=therapist, starts_at=timezone.now() - timedelta(minutes=40)
    )

    browser_sign_in(desktop, live_server.url, "therapist_a@example.org")
    desktop.goto(f"{live_server.url}/clients/{client.pk}/plans/new/")
    desktop.get_by_label("Search").fill("worry")
    desktop.get_by_role("button", name="Use Postpone worry to a set worry time").click()

    # The template's suggestion is chosen already; the client wants it later, and not Sundays.
    expect(desktop.get_by_text("The template suggests: Every day at 18:00.")).to_be_visible()
    expect(desktop.get_by_label("At fixed times on chosen days")).to_be_checked()
    expect(desktop.get_by_label("Days after the session")).to_be_hidden()  # another kind's
    desktop.get_by_label("At these times").fill("18:30")
    desktop.get_by_role("group", name="On these days").get_by_label("Sun").uncheck()
    desktop.get_by_role("button", name="Agree plan").click()
    expect(desktop.get_by_text("Plan agreed. The client can see it now.")).to_be_visible()

    schedule = Schedule.objects.get(client=client)
    assert (schedule.origin, schedule.rule["times"], schedule.rule["weekdays"]) == (
        "plan",
        ["18:30"],
        [0, 1, 2, 3, 4, 5],
    )
    first = schedule.prompts.order_by("due_at").first()
    assert first is not None
    local = timezone.localtime(first.due_at, planner.zone_of(client))
    assert (local.strftime("%H:%M"), local.weekday() != 6) == ("18:30", True)

    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    reminder = phone.locator(f'a[href="/me/prompts/{first.pk}/"]')
    expect(reminder).to_have_count(0)  # not due yet

    # The clock moves on to the reminder's moment, and the worker takes its step.
    with mock.patch("django.utils.timezone.now", return_value=first.due_at + timedelta(minutes=1)):
        assert Worker(name="w1").step() == 1
    assert Prompt.objects.get(pk=first.pk).state == Prompt.State.DELIVERED

    phone.reload()
    expect(phone.get_by_role("heading", name="Reminders for you")).to_be_visible()
    expect(reminder).to_have_text("Postpone worry to a set worry time")
    expect(phone.get_by_text("open until 21:30")).to_be_visible()


def test_the_client_adds_a_reminder_of_their_own_on_the_phone(live_server, phone: Page) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    client = make_client(clinic, "robin_ash", therapist)
    draft = plans.start_plan(client, by=therapist)
    plans.save_plan(
        draft,
        by=therapist,
        version=draft.version,
        fields={"title": "Walk after lunch", "what": "Ten minutes round the block"},
        goals=[],
        obstacles=[],
    )
    plans.agree(draft, by=therapist)

    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.goto(f"{live_server.url}/me/reminders/")
    phone.get_by_role("link", name="Add a reminder: Walk after lunch").click()
    expect(phone.get_by_label("At set times")).to_be_checked()
    phone.get_by_label("At these times").fill("13:15")
    phone.get_by_role("group", name="On these days").get_by_label("Sat").uncheck()
    phone.get_by_role("group", name="On these days").get_by_label("Sun").uncheck()
    phone.get_by_role("button", name="Add this reminder").click()

    expect(phone.get_by_text("Your reminder is set.")).to_be_visible()
    expect(phone.get_by_text("added by you")).to_be_visible()
    schedule = Schedule.objects.get(plan=draft)
    assert (schedule.origin, schedule.rule["times"], schedule.rule["weekdays"]) == (
        "client",
        ["13:15"],
        [0, 1, 2, 3, 4],
    )
    assert schedule.prompts.exists()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
