"""On the phone, an exposure's distress series fills in before, peak and after as it is typed,
and a value the client types over it is kept, after saving too."""

from __future__ import annotations

import pytest
from playwright.sync_api import Locator, Page, expect

from bridgework.practice.models import PracticeLog
from bridgework.practice.tests.test_browser_practice import a_client_with_a_plan
from bridgework.test import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_typing_a_series_fills_the_three_and_an_overridden_peak_is_kept(
    live_server, phone: Page
) -> None:
    _therapist, _client, plan = a_client_with_a_plan()  # the ladder asks for the exposure log
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.goto(f"{live_server.url}/me/plans/{plan.pk}/log/")
    phone.get_by_label("The situation I faced").fill("Bus, four stops")

    def field(name: str) -> Locator:
        return phone.locator(f"input[name='entries.{name}']")

    for row, (minute, distress) in enumerate(((0, 60), (5, 85), (15, 40))):
        field(f"series.{row}.minute").fill(str(minute))
        field(f"series.{row}.distress").fill(str(distress))
    expect(field("distress_before")).to_have_value("60")
    expect(field("distress_peak")).to_have_value("85")
    expect(field("distress_after")).to_have_value("40")
    peak_hint = phone.locator(".field", has=field("distress_peak")).locator(".from-series")
    expect(peak_hint).to_have_text("From your series — change it if it is not right.")

    field("distress_peak").fill("95")  # the client knows better than the series
    expect(peak_hint).to_be_hidden()
    field("series.3.minute").fill("25")
    field("series.3.distress").fill("30")  # the series goes on: after follows, peak stays
    expect(field("distress_peak")).to_have_value("95")
    expect(field("distress_after")).to_have_value("30")

    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Saved. Well done for noting it.")).to_be_visible()
    entries = PracticeLog.objects.get().entries
    assert (entries["distress_before"], entries["distress_peak"], entries["distress_after"]) == (
        60,
        95,
        30,
    )
