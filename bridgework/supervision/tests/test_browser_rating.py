"""A supervisor rates a supervisee's session in the browser, beside its plan records: picks
anchors, saves a draft, submits it, and sees it read-only; the pages pass the accessibility
check."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from bridgework.accounts.models import Supervision
from bridgework.care import actions as care
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.supervision.models import CompetenceRating
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff
from bridgework.tests.accessibility import problems_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
RATIONALE = "Staying on the bus lets the fear come down by itself."


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    """At laptop size; the page's CSP set aside so the accessibility check can run in it."""
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    yield context.new_page()
    context.close()


def test_a_supervisor_rates_a_session_beside_its_plan_records(live_server, desktop: Page) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "priya_shah", "therapist", approach="cbt")
    supervisor = make_staff(clinic, "helen_ward", "supervisor")
    Supervision.objects.create(supervisor=supervisor, supervisee=therapist)
    client = make_client(clinic, "robin_ash", therapist)
    session = care.add_session(
        client,
        therapist=therapist,
        by=therapist,
        starts_at=timezone.now() - timedelta(days=2),
        takeaway="Avoiding keeps the fear going",
    )
    template = PlanTemplate.objects.get(slug="exposure-step-up-the-ladder", clinic=None)
    plan = plans.start_plan(client, by=therapist, template=template)
    plans.save_plan(
        plan,
        by=therapist,
        version=plan.version,
        fields={"title": "Ride the bus", "rationale": RATIONALE, "set_in_session": session},
        goals=[],
        obstacles=[{"kind": "emotional", "description": "Panic", "coping_plan": "Breathe"}],
    )

    browser_sign_in(desktop, live_server.url, "helen_ward@example.org")
    desktop.get_by_role("link", name="Supervision").click()
    expect(desktop.get_by_role("heading", name="Priya Shah")).to_be_visible()
    desktop.get_by_role("button", name="Rate Robin Ash, session 1").click()

    expect(desktop).to_have_url(re.compile(r"/supervision/ratings/[0-9]+/$"))
    records = desktop.get_by_role("region", name="The session's plan records")
    expect(records.get_by_text(RATIONALE)).to_be_visible()
    expect(records.get_by_text("Has a rationale")).to_be_visible()
    rationale_item = desktop.locator("#item-rationale")
    expect(rationale_item.get_by_text("Record: has a rationale")).to_be_visible()

    scale = desktop.get_by_role("region", name="Bridgework competence in action plans")
    items = scale.locator("fieldset.rating-item")
    for index in range(items.count()):
        items.nth(index).get_by_role("radio").nth(4).check()  # "4", each item's third anchor
    rationale_item.get_by_role("radio", name=re.compile(r"^6 ")).check()
    rationale_item.get_by_label("Comment on this item (optional)").fill("In the client's words")
    desktop.get_by_role("button", name="Save draft").click()
    expect(desktop.get_by_text("Draft saved. Only you can see it")).to_be_visible()
    expect(desktop.locator("#item-rationale-6")).to_be_checked()

    desktop.get_by_label("Overall comment").fill("A careful, shared plan")
    desktop.get_by_role("button", name="Submit").click()
    expect(desktop.locator(".field-error", has_text="To submit, confirm")).to_be_visible()
    desktop.get_by_label("I understand that a submitted rating is final").check()
    desktop.get_by_role("button", name="Submit").click()

    expect(desktop.get_by_text("Rating submitted.")).to_be_visible()
    expect(desktop.get_by_text(re.compile(r"Rated by Helen Ward, submitted on"))).to_be_visible()
    expect(desktop.get_by_role("button", name="Save draft")).to_have_count(0)
    expect(desktop.get_by_role("radio")).to_have_count(0)
    expect(desktop.get_by_text("A careful, shared plan")).to_be_visible()
    rating = CompetenceRating.objects.get()
    assert (rating.state, rating.answers["rationale"], rating.scores["total"]["value"]) == (
        "submitted",
        6,
        50,
    )
    urls = ["/supervision/", f"/supervision/ratings/{rating.pk}/"]
    assert problems_on(desktop, live_server.url, urls) == {}


def test_the_rating_page_passes_the_accessibility_check_while_a_draft(
    live_server, desktop: Page
) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "priya_shah", "therapist", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    care.add_session(
        client, therapist=therapist, by=therapist, starts_at=timezone.now() - timedelta(days=2)
    )
    browser_sign_in(desktop, live_server.url, "priya_shah@example.org")
    desktop.goto(f"{live_server.url}/supervision/")
    desktop.get_by_role("button", name="Self-rate Robin Ash, session 1").click()
    expect(
        desktop.get_by_role("heading", name=re.compile("^Self-rating: Priya Shah"))
    ).to_be_visible()
    expect(desktop.get_by_text("No plan was set in this session.")).to_be_visible()
    rating = CompetenceRating.objects.get()
    assert rating.is_self_rating
    urls = ["/supervision/", f"/supervision/ratings/{rating.pk}/"]
    assert problems_on(desktop, live_server.url, urls) == {}
