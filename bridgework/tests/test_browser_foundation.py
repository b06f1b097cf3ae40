"""Real pages in headless Chromium: what a therapist and a client would see."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import User
from bridgework.care import actions as care
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_therapist_sees_their_caseload_and_not_another_therapists_clients(
    live_server, desktop: Page
) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist_a = make_staff(clinic, "therapist_a", "therapist")
    therapist_b = make_staff(clinic, "therapist_b", "therapist")
    client_a = make_client(clinic, "robin_ash", therapist_a)
    make_client(clinic, "kim_birch", therapist_b)
    care.add_goal(client_a, text="Take the bus to work", by=therapist_a)

    browser_sign_in(desktop, live_server.url, "therapist_a@example.org")

    expect(desktop.get_by_role("heading", name="Caseload")).to_be_visible()
    expect(desktop.get_by_role("link", name="Robin Ash")).to_be_visible()
    expect(desktop.get_by_text("Kim Birch")).to_have_count(0)
    desktop.get_by_role("link", name="Robin Ash").click()
    expect(desktop.get_by_text("“Take the bus to work”")).to_be_visible()


def test_a_client_accepts_an_invitation_on_a_phone_and_sees_their_home_page(
    live_server, phone: Page
) -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    client = care.add_client(clinic=clinic, full_name="Robin Ash", care_team=[therapist], by=None)
    _invitation, token = accounts.invite(
        clinic=clinic,
        email="robin@example.org",
        kind=User.Kind.CLIENT,
        by=None,
        client=client,
        send=False,
    )

    phone.goto(f"{live_server.url}/invitations/{token}/")
    expect(phone.get_by_role("heading", name="Welcome to Northside Therapy")).to_be_visible()
    phone.get_by_label("Choose a password").fill("river-stones-at-dawn")
    phone.get_by_label("The same password again").fill("river-stones-at-dawn")
    phone.get_by_role("button", name="Create my account").click()

    expect(phone).to_have_url(re.compile(r"/me/$"))
    expect(phone.get_by_role("heading", name="Hello, Robin Ash")).to_be_visible()
    expect(phone.get_by_role("heading", name="Your action plans")).to_be_visible()
    # Phone-sized: nothing runs off the side of the screen.
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
