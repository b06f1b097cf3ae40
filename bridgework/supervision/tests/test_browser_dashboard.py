"""The trainee dashboard in the browser, under the site's real Content-Security-Policy: its
pictures are drawn into the page and show, and the policy refuses nothing on it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, ConsoleMessage, expect

from bridgework.accounts.models import Supervision
from bridgework.care import actions as care
from bridgework.measures.models import Instrument
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.supervision import actions as rating
from bridgework.supervision.tests.helpers import answers
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff
from bridgework.tests.accessibility import problems_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_dashboards_pictures_show_under_the_pages_policy(live_server, browser: Browser) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "priya_shah", "therapist", approach="cbt")
    supervisor = make_staff(clinic, "helen_ward", "supervisor")
    Supervision.objects.create(supervisor=supervisor, supervisee=therapist)
    client = make_client(clinic, "robin_ash", therapist)
    session = care.add_session(
        client, therapist=therapist, by=therapist, starts_at=timezone.now() - timedelta(days=2)
    )
    template = PlanTemplate.objects.get(slug="exposure-step-up-the-ladder", clinic=None)
    plan = plans.start_plan(client, by=therapist, template=template)
    plan = plans.save_plan(
        plan,
        by=therapist,
        version=plan.version,
        fields={"title": "Ride the bus", "rationale": "Fear fades", "set_in_session": session},
        goals=[],
        obstacles=[],
    )
    plans.agree(plan, by=therapist)
    scale = Instrument.objects.get(slug="bridgework-competence", clinic=None)
    started = rating.start_rating(session, scale, by=supervisor)
    rating.save_and_submit(started, answers=answers(4), comments={}, comment="", by=supervisor)

    context = browser.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    refused: list[str] = []

    def note(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            refused.append(message.text)

    page.on("console", note)
    browser_sign_in(page, live_server.url, "helen_ward@example.org")
    page.goto(f"{live_server.url}/supervision/therapists/{therapist.pk}/")
    expect(page.get_by_role("heading", name="Plan work of Priya Shah")).to_be_visible()
    pictures = page.locator("figure.chart img")
    expect(pictures).to_have_count(10)  # nine measures, one scale
    for index in range(pictures.count()):
        picture = pictures.nth(index)
        picture.scroll_into_view_if_needed()
        assert picture.evaluate("image => image.complete && image.naturalWidth > 0")
    assert refused == []
    context.close()

    # axe is added as a script of its own, which the page's policy rightly refuses.
    checking = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = checking.new_page()
    browser_sign_in(page, live_server.url, "helen_ward@example.org")
    assert problems_on(page, live_server.url, [f"/supervision/therapists/{therapist.pk}/"]) == {}
    checking.close()
