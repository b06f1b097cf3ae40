"""The codebook on a narrow screen: a column's allowed values wrap between values, never inside
one (a code such as behavioural-experiment stays on one line)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page

from bridgework.research import actions
from bridgework.research.export.tables import TABLES
from bridgework.test import browser_sign_in, make_clinic, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# For each allowed value on the page: how many lines it takes, and its text.
LINES_OF_EACH_VALUE = """() => [...document.querySelectorAll('.allowed-value')].map(value => {
  const tops = new Set([...value.getClientRects()].map(rect => Math.round(rect.top)));
  return [tops.size, value.textContent];
})"""
# For each cell of allowed values: how many lines it takes.
LINES_OF_EACH_CELL = """() => [...document.querySelectorAll('td.allowed-values')].map(cell => {
  const rects = [...cell.querySelectorAll('.allowed-value')].flatMap(v => [...v.getClientRects()]);
  return new Set(rects.map(rect => Math.round(rect.top))).size;
})"""


def test_allowed_values_wrap_between_values_only_on_a_phone(live_server, phone: Page) -> None:
    clinic = make_clinic("Northside Therapy")
    admin = make_staff(clinic, "ada_admin", "clinic_admin")
    researcher = make_staff(clinic, "sam_researcher", "researcher")
    today = timezone.localdate()
    study = actions.create_study(
        by=admin,
        name="Engagement",
        purpose="Engagement and outcome",
        starts_on=today - timedelta(days=365),
        ends_on=today,
        tables=list(TABLES),
    )
    actions.grant_access(study, researcher, by=admin)

    browser_sign_in(phone, live_server.url, "sam_researcher@example.org")
    phone.goto(f"{live_server.url}/research/studies/{study.pk}/codebook/")
    values = phone.evaluate(LINES_OF_EACH_VALUE)
    assert any("-" in text for _lines, text in values)  # codes with a hyphen are shown
    broken = [text for lines, text in values if lines != 1]
    assert broken == [], "allowed values broken across lines"
    assert max(phone.evaluate(LINES_OF_EACH_CELL)) > 1  # long lists still wrap, between values
