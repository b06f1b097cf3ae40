"""On the phone: PHQ-9 item 9 above zero shows crisis resources at once and the therapist
acknowledges the flag; questionnaires the therapist set for before each session arrive as a
reminder and are answered in turn."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bridgework.care import actions as care
from bridgework.measures.models import Flag, Response
from bridgework.prompts.models import Prompt
from bridgework.prompts.worker import Worker
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_item_9_shows_crisis_resources_and_the_therapist_acknowledges_the_flag(
    live_server, phone: Page, desktop: Page
) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    make_client(clinic, "robin_ash", therapist)

    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.goto(f"{live_server.url}/me/measures/phq-9/")
    for number in range(1, 9):
        phone.get_by_role("group", name=f"{number}.").get_by_label("Several days").check()
    phone.get_by_role("group", name="9.").get_by_label("Several days").check()
    phone.get_by_role("button", name="Send my answers").click()

    expect(phone.get_by_role("heading", name="Help is available now")).to_be_visible()
    expect(phone.get_by_text("Samaritans, any time, free: 116 123.")).to_be_visible()
    assert Flag.objects.get().kind == "risk"

    browser_sign_in(desktop, live_server.url, "therapist_a@example.org")
    desktop.get_by_role("link", name="1").click()
    expect(desktop.get_by_role("heading", name="Needs your attention")).to_be_visible()
    desktop.get_by_label("Note (what you did)").fill("Called Robin; safety plan agreed.")
    desktop.get_by_role("button", name="Acknowledge").click()
    expect(desktop.get_by_text("Flag acknowledged.")).to_be_visible()
    flag = Flag.objects.get()
    assert (flag.acknowledged_by, flag.note) == (therapist, "Called Robin; safety plan agreed.")


def test_questionnaires_set_for_before_the_session_reach_the_phone_and_are_answered_in_turn(
    live_server, phone: Page, desktop: Page
) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    client = make_client(clinic, "robin_ash", therapist)
    starts = timezone.now().replace(second=0, microsecond=0) + timedelta(days=1, hours=1)
    care.add_session(client, therapist=therapist, starts_at=starts, by=therapist)

    browser_sign_in(desktop, live_server.url, "therapist_a@example.org")
    desktop.goto(f"{live_server.url}/clients/{client.pk}/reminders/")
    desktop.get_by_role("link", name="Questionnaires before each session").click()
    expect(desktop.get_by_label("Before every booked session")).to_be_checked()
    expect(desktop.get_by_label("PHQ-9 (Patient Health Questionnaire)")).to_be_checked()
    desktop.get_by_label("Hours before each booked session").fill("24")
    desktop.get_by_role("button", name="Save reminders").click()
    expect(desktop.get_by_text("Reminders saved.")).to_be_visible()

    # The reminder's moment (an hour from now) is brought forward; the worker sends it.
    prompt = Prompt.objects.get(client=client, purpose="measure")
    assert prompt.due_at == starts - timedelta(hours=24)
    Prompt.objects.filter(pk=prompt.pk).update(
        due_at=timezone.now(), next_attempt_at=timezone.now()
    )
    assert Worker(name="w1").step() == 1

    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.get_by_role("link", name="Questionnaires before your session").click()
    # In the order the form lists them: GAD-7, then PHQ-9.
    expect(phone.get_by_text("Then 1 more questionnaire.")).to_be_visible()
    expect(
        phone.get_by_role("heading", name="GAD-7 (Generalized Anxiety Disorder)")
    ).to_be_visible()
    for number in range(1, 8):
        phone.get_by_role("group", name=f"{number}.").get_by_label("Several days").check()
    phone.get_by_role("button", name="Send my answers").click()
    expect(phone.get_by_text("The last questionnaire.")).to_be_visible()
    for number in range(1, 10):
        phone.get_by_role("group", name=f"{number}.").get_by_label("Not at all").check()
    phone.get_by_role("button", name="Send my answers").click()

    expect(phone.get_by_text("Thank you. Your answers are saved.")).to_be_visible()
    expect(phone.get_by_role("link", name="Questionnaires before your session")).to_have_count(0)
    assert Prompt.objects.get(pk=prompt.pk).state == Prompt.State.ANSWERED
    totals = {r.instrument.slug: r.scores["total"]["value"] for r in Response.objects.all()}
    assert totals == {"phq-9": 0, "gad-7": 7}
