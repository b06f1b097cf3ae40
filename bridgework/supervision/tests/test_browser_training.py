"""A supervisor assigns a scenario in the browser; the therapist starts an attempt and lands
on the training client's agenda, the earlier plan ready to review. The training pages pass
the automated accessibility check."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from bridgework.accounts.models import Supervision
from bridgework.supervision.models import Assignment
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff
from bridgework.tests.accessibility import problems_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_scenario_is_assigned_and_practised_on_a_training_client(
    live_server, browser: Browser
) -> None:
    clinic = make_clinic("Northside Therapy")
    helen = make_staff(clinic, "helen", "supervisor")
    tom = make_staff(clinic, "tom", "therapist", approach="cbt")
    Supervision.objects.create(supervisor=helen, supervisee=tom)
    make_client(clinic, "robin_ash", tom)
    context = browser.new_context(viewport={"width": 1366, "height": 768})

    page = context.new_page()
    browser_sign_in(page, live_server.url, "helen@example.org")
    page.get_by_role("link", name="Supervision", exact=True).click()
    page.get_by_role("link", name="Scenario library").click()
    page.get_by_label("Exercises the item").select_option(label="Reviewing the last plan first")
    page.get_by_role("button", name="Filter").click()
    page.get_by_role("link", name="One junction, then the lay-by").click()
    expect(page.get_by_role("heading", name="The hard moment")).to_be_visible()
    page.get_by_label("Therapist", exact=True).select_option(label="Tom")
    page.get_by_label("Note to the therapist").fill("Twice before our next supervision.")
    page.get_by_role("button", name="Assign").click()
    expect(page.get_by_text("assigned to Tom")).to_be_visible()
    assignment = Assignment.objects.get()

    trainee = context.new_page()
    context.clear_cookies()
    browser_sign_in(trainee, live_server.url, "tom@example.org")
    trainee.get_by_role("link", name="Training").click()
    expect(trainee.get_by_text("Twice before our next supervision.")).to_be_visible()
    trainee.get_by_role("button", name="Start an attempt").click()
    expect(trainee.get_by_role("heading", name="Session agenda: Role-play")).to_be_visible()
    expect(trainee.get_by_text("A training client for a role-play")).to_be_visible()
    expect(trainee.get_by_role("link", name="Review together")).to_be_visible()
    trainee.get_by_role("link", name="Caseload").click()
    expect(trainee.get_by_role("link", name="Robin Ash")).to_be_visible()
    expect(trainee.get_by_text("Role-play")).to_have_count(0)

    context.close()

    # axe is added as a script of its own, which the pages' CSP rightly refuses.
    checking = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = checking.new_page()
    browser_sign_in(page, live_server.url, "tom@example.org")
    pages = [
        "/training/",
        f"/training/assignments/{assignment.pk}/",
        f"/clients/{assignment.attempts.get().client_id}/agenda/",
    ]
    assert problems_on(page, live_server.url, pages) == {}
    checking.clear_cookies()
    browser_sign_in(page, live_server.url, "helen@example.org")
    pages = [
        "/supervision/scenarios/",
        "/supervision/scenarios/did-i-pass/",
        f"/training/assignments/{assignment.pk}/",
    ]
    assert problems_on(page, live_server.url, pages) == {}
    checking.close()
