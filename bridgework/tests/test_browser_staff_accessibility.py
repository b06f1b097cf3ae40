"""The automated accessibility check (every WCAG 2.1 A/AA rule: tests/accessibility.py) on
the therapist's, the clinic admin's, the supervisor's and the researcher's pages, at laptop
size, with data on them: a client with sessions, measures, flags (one acknowledged), a plan
reviewed and one open, practice and a reminder schedule."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Browser

from bridgework.care import actions as care
from bridgework.measures import actions as measures
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.prompts import schedules
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff, user_of
from bridgework.tests.accessibility import problems_on

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_pages_have_no_accessibility_violations(live_server, browser: Browser) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist", "clinic_admin", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    now = timezone.now()
    session = care.add_session(
        client, therapist=therapist, by=therapist, starts_at=now - timedelta(days=7)
    )
    care.add_session(client, therapist=therapist, by=therapist, starts_at=now + timedelta(days=1))
    template = PlanTemplate.objects.get(slug="exposure-step-up-the-ladder")
    reviewed = plans.agree(plans.start_plan(client, by=therapist, template=template), by=therapist)
    practice.log_practice(
        client,
        by=user_of(client),
        uid=uuid.uuid4(),
        plan=reviewed,
        outcome="done",
        sheet=worksheets.current("exposure-log"),
        entries={"situation": "Bus", "distress_before": 70, "distress_after": 30},
    )
    plans.review(
        reviewed, by=therapist, session=session, answers={"done": 1, "decision": "continue"}
    )
    phq9 = measures.current("phq-9", None)
    assert phq9 is not None
    for days_ago, answer in ((14, 1), (8, 2)):
        _response, flags = measures.respond(
            client,
            phq9,
            {str(n): answer for n in range(1, 10)},  # item 9 above zero: a risk flag
            by=therapist,
            completed_at=now - timedelta(days=days_ago),
        )
    measures.acknowledge(flags[0], by=therapist, note="Talked it through; safety plan made")
    schedules.set_schedule(
        client,
        by=therapist,
        purpose="measure",
        rule={"kind": "before-session", "measures": ["phq-9", "gad-7"]},
        channels=[],
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768}, bypass_csp=True)
    page = context.new_page()
    browser_sign_in(page, live_server.url, "therapist_a@example.org")
    pages = [
        "/clients/",
        f"/clients/{client.pk}/",
        f"/clients/{client.pk}/agenda/",
        f"/clients/{client.pk}/flags/",
        f"/clients/{client.pk}/reminders/",
        f"/clients/{client.pk}/reminders/new/?kind=before-session",
        f"/clients/{client.pk}/measures/gad-7/",
        f"/clients/{client.pk}/plans/new/",
        f"/plans/{reviewed.pk}/",
        f"/plans/{reviewed.pk}/edit/",
        f"/plans/{reviewed.pk}/review/",
        "/plans/templates/",
        "/clinic/",
        "/clinic/settings/",
        "/clinic/instruments/",
        "/clinic/clients/",
        "/clinic/audit/",
        f"/clinic/audit/?client={client.pk}&action=view",
        # The rest of the main staff pages: sessions, scales, templates, the clinic's people,
        # tokens and records.
        f"/sessions/{session.pk}/",
        f"/clients/{client.pk}/sessions/new/",
        f"/clients/{client.pk}/scales/",
        "/plans/templates/new/",
        "/clinic/staff/invite/",
        f"/clinic/staff/{therapist.pk}/",
        "/clinic/clients/new/",
        f"/clinic/clients/{client.pk}/",
        "/tokens/",
        "/tokens/clinic/",
        "/records/policy/",
        f"/records/clients/{client.pk}/",
        "/records/erasures/",
    ]
    problems = problems_on(page, live_server.url, pages)
    context.clear_cookies()
    make_staff(clinic, "helen", "supervisor", "researcher")
    browser_sign_in(page, live_server.url, "helen@example.org")
    problems |= problems_on(page, live_server.url, ["/supervision/", "/research/"])
    context.close()
    assert problems == {}
