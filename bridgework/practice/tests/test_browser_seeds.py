"""A behavioural experiment from template to review, typed once: the therapist records the
belief, its strength and the prediction on a laptop, the client finds them already on the
worksheet on the phone and adds what happened, and the review shows belief before → after
with the client's words."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bridgework.care import actions as care
from bridgework.plans.models import ActionPlan, Status
from bridgework.practice.models import PracticeLog
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BELIEF = "If I say no, my friends will drop me"
PREDICTION = "Sam will stop answering my messages"


def test_an_experiment_goes_from_template_to_review_with_nothing_typed_twice(
    live_server, desktop: Page, phone: Page
) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    care.add_session(
        client,
        therapist=therapist,
        by=therapist,
        takeaway="Saying no feels dangerous",
        starts_at=timezone.now() - timedelta(minutes=40),
    )

    # The laptop, in the session: the template's details have a card of their own.
    browser_sign_in(desktop, live_server.url, "therapist_a@example.org")
    desktop.goto(f"{live_server.url}/clients/{client.pk}/plans/new/")
    desktop.get_by_label("Search").fill("prediction")
    desktop.get_by_label("Shared-screen mode").uncheck()  # the review comes next
    expect(desktop.locator("input[name=shared_screen]")).to_have_count(0)
    desktop.get_by_role("button", name="Use Test a prediction").click()
    details = desktop.locator("[data-plan-details]")
    details.get_by_label("The belief to test, in the client's words").fill(BELIEF)
    details.get_by_label("How strongly the client believed it when the plan was made (0–100)").fill(
        "85"
    )
    details.get_by_label("What the client predicts will happen").fill(PREDICTION)
    details.get_by_label("How they would know").fill("No reply for a week")
    details.get_by_label("An alternative view").fill("Friends can take a no")
    desktop.get_by_role("button", name="Agree plan").click()
    expect(desktop.get_by_text("Plan agreed. The client can see it now.")).to_be_visible()
    plan = ActionPlan.objects.get()
    assert plan.status == Status.AGREED and plan.details["belief_strength"] == 85

    # The phone: the worksheet opens with what was agreed; the client adds the rest.
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.get_by_role("link", name="Fill in the worksheet").click()
    expect(phone).to_have_url(re.compile(rf"/me/plans/{plan.pk}/log/$"))
    expect(phone.get_by_text("Filled in from what you agreed in your session.")).to_be_visible()
    expect(phone.get_by_label("The belief I am testing")).to_have_value(BELIEF)
    expect(phone.get_by_label("How much I believe it before (0–100%)")).to_have_value("85")
    expect(phone.get_by_label("What I predict will happen")).to_have_value(PREDICTION)
    expect(phone.get_by_label("How I would know if the prediction came true")).to_have_value(
        "No reply for a week"
    )
    expect(phone.get_by_label("Another way of seeing it")).to_have_value("Friends can take a no")
    phone.get_by_label("What actually happened").fill("Sam said fine and asked about Friday")
    phone.get_by_label("How much I believe it now (0–100%)").fill("30")
    phone.get_by_label("What I learned").fill("A no did not end the friendship")
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Saved. Well done for noting it.")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    log = PracticeLog.objects.get()
    assert (log.worksheet_version, log.entries["belief"], log.entries["belief_before"]) == (
        2,
        BELIEF,
        85,
    )

    # The laptop, next session: belief before → after, and the client's words.
    desktop.goto(f"{live_server.url}/plans/{plan.pk}/review/")
    practice = desktop.locator(".log-list")
    expect(practice.get_by_text("Belief before → after: 85 → 30")).to_be_visible()
    expect(practice.locator(".entry-learned")).to_have_text(
        "What the client learned: A no did not end the friendship"
    )
    expect(practice.get_by_text("Sam said fine and asked about Friday")).to_be_visible()
    expect(desktop.get_by_text("What I learned")).to_have_count(0)
