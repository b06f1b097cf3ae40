"""Passkeys in a real browser: Chromium's virtual authenticator (DevTools' WebAuthn domain)
stands in for a phone's fingerprint reader, with a platform authenticator that keeps
discoverable credentials and verifies its user. A therapist whose clinic asks for a passkey
registers one after their password and confirms later sign-ins with it; a client registers
one in their settings and then signs in with it alone."""

from __future__ import annotations

import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Browser, BrowserContext, Page, expect

from bridgework.accounts.models import Clinic
from bridgework.conftest import PHONE_VIEWPORT
from bridgework.test import PASSWORD, make_client, make_clinic, make_staff
from bridgework.tests.accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def with_virtual_authenticator(context: BrowserContext, page: Page) -> None:
    session = context.new_cdp_session(page)
    session.send("WebAuthn.enable", {"enableUI": False})
    session.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def sign_in_with_password(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/accounts/sign-in/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.fixture
def passkey_origin(live_server, settings) -> str:
    # http://localhost is a secure context, and a passkey's relying party is a domain.
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    return str(live_server.url)


def test_a_therapist_registers_a_passkey_and_confirms_sign_in_with_it(
    passkey_origin: str, browser: Browser
) -> None:
    clinic = make_clinic(
        "Northside Therapy",
        staff_mfa_required=True,
        staff_second_factor=Clinic.SecondFactor.PASSKEY,
    )
    therapist = make_staff(clinic, "therapist_a", "therapist")
    context = browser.new_context()
    page = context.new_page()
    with_virtual_authenticator(context, page)

    sign_in_with_password(page, passkey_origin, "therapist_a@example.org")
    expect(page.get_by_role("heading", name="Register a passkey")).to_be_visible()
    page.get_by_role("button", name="Register a passkey").click()
    expect(page.get_by_role("heading", name="Name your passkey")).to_be_visible()
    page.get_by_label("Name of this passkey").fill("Work laptop")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Your passkey is saved as “Work laptop”.")).to_be_visible()
    assert list(WebAuthnCredential.objects.values_list("user", "name")) == [
        (therapist.pk, "Work laptop")
    ]
    page.goto(f"{passkey_origin}/clients/")
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in_with_password(page, passkey_origin, "therapist_a@example.org")
    expect(page.get_by_role("heading", name="Confirm it's you")).to_be_visible()
    page.goto(f"{passkey_origin}/clients/")  # not before the passkey
    expect(page).to_have_url(re.compile(r"/accounts/second-factor/"))
    page.get_by_role("button", name="Confirm with a passkey").click()
    expect(page).to_have_url(re.compile(r"/clients/$"))
    expect(page.get_by_role("heading", name="Caseload")).to_be_visible()
    page.goto(f"{passkey_origin}/accounts/passkeys/")
    row = page.get_by_role("row", name=re.compile("Work laptop"))
    expect(row).not_to_contain_text("never used")  # its last use is listed
    context.close()


def test_a_client_registers_a_passkey_and_signs_in_with_it_alone(
    passkey_origin: str, browser: Browser
) -> None:
    clinic = make_clinic("Northside Therapy")
    make_client(clinic, "robin_ash", make_staff(clinic, "therapist_a", "therapist"))
    # The accessibility check injects axe, which the pages' CSP would refuse.
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, bypass_csp=True)
    phone = context.new_page()
    with_virtual_authenticator(context, phone)

    sign_in_with_password(phone, passkey_origin, "robin_ash@example.org")
    expect(phone.get_by_role("heading", name="Hello, Robin Ash")).to_be_visible()
    phone.goto(f"{passkey_origin}/me/consents/")
    phone.get_by_role("link", name="Passkeys").click()
    expect(phone.get_by_text("You have no passkey yet.")).to_be_visible()
    expect(phone.get_by_role("button", name="Register a passkey")).to_be_visible()
    assert serious_violations(phone) == []
    phone.get_by_role("button", name="Register a passkey").click()
    expect(phone.get_by_role("heading", name="Name your passkey")).to_be_visible()
    phone.get_by_label("Name of this passkey").fill("My phone")
    phone.get_by_role("button", name="Save name").click()
    expect(phone.get_by_role("row", name=re.compile("My phone"))).to_be_visible()

    phone.get_by_role("button", name="Sign out").click()
    expect(phone.get_by_text("You are signed out.")).to_be_visible()
    expect(phone.get_by_role("button", name="Sign in with a passkey")).to_be_visible()
    assert serious_violations(phone) == []
    phone.get_by_role("button", name="Sign in with a passkey").click()  # no address typed
    expect(phone).to_have_url(re.compile(r"/me/$"))
    expect(phone.get_by_role("heading", name="Hello, Robin Ash")).to_be_visible()
    context.close()
