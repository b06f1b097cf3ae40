"""A therapist reads a client's engagement profile on the client page, and downloads its rows."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bridgework.care import actions as care
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.practice.engagement_rows import NAMES
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff, user_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_therapist_reads_the_profile_and_downloads_its_rows(live_server, desktop: Page) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    session = care.add_session(
        client, therapist=therapist, by=therapist, starts_at=timezone.now() - timedelta(days=7)
    )
    template = PlanTemplate.objects.get(slug="slow-breathing")
    plan = plans.agree(plans.start_plan(client, by=therapist, template=template), by=therapist)
    for outcome in ("done", "not-done"):
        practice.log_practice(
            client,
            by=user_of(client),
            uid=uuid.uuid4(),
            plan=plan,
            outcome=outcome,
            sheet=worksheets.get("quick", 1),
            entries={},
        )
    plans.review(
        plan,
        by=therapist,
        session=session,
        answers={"done": 2, "difficulty": 6, "decision": "continue"},
    )

    browser_sign_in(desktop, live_server.url, "therapist_a@example.org")
    desktop.goto(f"{live_server.url}/clients/{client.pk}/")
    profile = desktop.get_by_role("table", name="Engagement per plan")
    row = profile.get_by_role("row", name=plan.title)
    expect(row).to_contain_text("2: 1 done, 1 not done")
    expect(row).to_contain_text("2 · about half")
    expect(row.get_by_text("not asked").first).to_be_visible()

    with desktop.expect_download() as download:
        desktop.get_by_role("link", name="Download the profile’s rows").click()
    header = Path(download.value.path()).read_text(encoding="utf-8").splitlines()[0]
    assert tuple(header.split(",")) == NAMES
