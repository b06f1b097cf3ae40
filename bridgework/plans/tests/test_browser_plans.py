"""A therapist builds a plan with the client beside them, then the client reads it on a phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bridgework.care import actions as care
from bridgework.plans.models import ActionPlan, Status
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_plan_made_in_shared_screen_mode_reaches_the_clients_phone(
    live_server, desktop: Page, phone: Page
) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    make_client(clinic, "kim_birch", therapist)
    care.add_goal(client, text="Take the bus to work", by=therapist)
    care.add_session(
        client,
        therapist=therapist,
        by=therapist,
        takeaway="Avoiding feeds fear",
        starts_at=timezone.now() - timedelta(minutes=40),
    )

    browser_sign_in(desktop, live_server.url, "therapist_a@example.org")
    desktop.get_by_role("link", name="Robin Ash").click()
    desktop.get_by_role("link", name="New plan").click()
    desktop.get_by_label("Search").fill("ladder")
    desktop.get_by_role("button", name="Use Take the next step on the ladder").click()

    # Shared-screen mode: only this plan, no caseload, no other client's name.
    expect(desktop.get_by_role("link", name="Exit shared screen")).to_be_visible()
    expect(desktop.get_by_text("Caseload")).to_have_count(0)
    expect(desktop.get_by_text("Kim Birch")).to_have_count(0)

    desktop.get_by_label("Title, in the client's words").fill("Ride the 8:10 bus two stops")
    desktop.get_by_label("Take the bus to work").check()
    desktop.get_by_label("Keep this obstacle").first.check()
    desktop.get_by_label("How important is this to the client? (0–10)").fill("9")
    desktop.get_by_label("How confident is the client they will do it? (0–10)").fill("5")
    expect(desktop.get_by_text("Confidence is below 7")).to_be_visible()
    desktop.get_by_label("How confident is the client they will do it? (0–10)").fill("8")
    expect(desktop.get_by_text("Confidence is below 7")).to_be_hidden()
    desktop.get_by_role("button", name="Agree plan").click()

    expect(desktop.get_by_text("Plan agreed. The client can see it now.")).to_be_visible()
    plan = ActionPlan.objects.get()
    assert (plan.status, plan.importance, plan.confidence) == (Status.AGREED, 9, 8)

    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.get_by_role("link", name="Ride the 8:10 bus two stops").click()
    expect(phone).to_have_url(re.compile(rf"/me/plans/{plan.pk}/$"))
    expect(phone.get_by_role("heading", name="Why this matters")).to_be_visible()
    expect(phone.get_by_text("Slow my breathing, rate the fear")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    plan.refresh_from_db()
    assert plan.first_seen_by_client_at is not None
