"""A client answers PHQ-9 item 9 above zero on the phone: crisis resources at once; the
therapist sees the flag and acknowledges it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from bridgework.measures.models import Flag
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
