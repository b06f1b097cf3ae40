"""A client on their phone agrees to research use of their data, thinks twice about
withdrawing, then withdraws; the pages involved and the error pages pass the accessibility
check."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import RequestFactory
from django.views.defaults import server_error
from playwright.sync_api import Browser, Page, expect

from bridgework.care import actions
from bridgework.care.models import Client, Consent
from bridgework.conftest import PHONE_VIEWPORT
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff
from bridgework.tests.accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def checked_phone(browser: Browser) -> Iterator[Page]:
    # The accessibility check injects axe, which the pages' CSP would refuse.
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.fixture
def phone_without_service_worker(browser: Browser) -> Iterator[Page]:
    # The phone app's service worker would fetch a routed page from the network, past
    # Playwright's routing.
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, is_mobile=True, bypass_csp=True, service_workers="block"
    )
    yield context.new_page()
    context.close()


def a_client() -> Client:
    clinic = make_clinic("Northside Therapy")
    return make_client(clinic, "robin_ash", make_staff(clinic, "therapist_a", "therapist"))


def research_is_open(client: Client) -> bool:
    return Consent.Purpose.RESEARCH in actions.consents_given(client)


def fits_the_phone(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_client_agrees_to_research_then_withdraws_after_a_second_look(
    live_server, checked_phone: Page
) -> None:
    phone, client = checked_phone, a_client()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.get_by_role("link", name="Settings").click()
    research = phone.get_by_role("region", name="Research use of your data")
    expect(research.get_by_text("your data carry a code instead")).to_be_visible()
    assert serious_violations(phone) == []
    assert fits_the_phone(phone)

    research.get_by_role("link", name="Agree to research use").click()
    expect(phone.get_by_role("heading", name="Agree to research use of your data?")).to_be_visible()
    assert serious_violations(phone) == []
    assert not research_is_open(client)
    phone.get_by_role("button", name="Yes, I agree").click()
    expect(phone.get_by_text("Done: you agreed.")).to_be_visible()
    assert research_is_open(client)

    # Second thoughts: the first tap only asks.
    research.get_by_role("link", name="Withdraw my research consent").click()
    expect(phone.get_by_role("heading", name="Withdraw your research consent?")).to_be_visible()
    assert serious_violations(phone) == []
    assert fits_the_phone(phone)
    phone.get_by_role("link", name="No, keep my consent").click()
    expect(research.get_by_text("yes, researchers may use my data under a code.")).to_be_visible()
    assert research_is_open(client)

    research.get_by_role("link", name="Withdraw my research consent").click()
    phone.get_by_role("button", name="Yes, withdraw my consent").click()
    expect(phone).to_have_url(re.compile(r"/me/consents/$"))
    expect(phone.get_by_text("Done: your research consent is withdrawn.")).to_be_visible()
    expect(research.get_by_text("no, my data are not used for research.")).to_be_visible()
    assert not research_is_open(client)
    assert serious_violations(phone) == []


def test_the_error_pages_pass_the_accessibility_check_on_a_phone(
    live_server, phone_without_service_worker: Page
) -> None:
    phone = phone_without_service_worker
    a_client()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    response = phone.goto(f"{live_server.url}/me/no-such-page/")
    assert response is not None and response.status == 404
    expect(phone.get_by_role("heading", name="Page not found")).to_be_visible()
    assert serious_violations(phone) == []
    assert fits_the_phone(phone)

    # The live server has no failing view: the 500 page Django would send is served at an
    # address of the app, so its stylesheet comes from the app's static files.
    crash = server_error(RequestFactory().get("/")).content.decode()
    phone.route(
        f"{live_server.url}/crashed/",
        lambda route: route.fulfill(status=500, body=crash, content_type="text/html"),
    )
    response = phone.goto(f"{live_server.url}/crashed/")
    assert response is not None and response.status == 500
    expect(phone.get_by_role("heading", name="Something went wrong")).to_be_visible()
    home = phone.get_by_role("link", name="Go to your start page")
    # The app's stylesheet applied: the link looks like the app's buttons (44 px targets).
    assert home.evaluate("link => getComputedStyle(link).minHeight") == "44px"
    assert serious_violations(phone) == []
    assert fits_the_phone(phone)
