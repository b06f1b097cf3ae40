"""A client who forgot their password gets back in on their phone: "Forgot your password?",
the link from the e-mail, a new password, signed in."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import Browser, expect

from bridgework.conftest import PHONE_VIEWPORT
from bridgework.test import make_client, make_clinic, make_staff, send_account_emails
from bridgework.tests.accessibility import serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LINK = re.compile(r"http://[^/\s]+(/accounts/password-reset/[A-Za-z0-9_-]{20,}/)")


def test_a_client_who_forgot_their_password_chooses_a_new_one_and_is_back_in(
    live_server, browser: Browser, mailoutbox: list[mail.EmailMessage]
) -> None:
    # The accessibility check injects axe, which the pages' CSP would refuse.
    context = browser.new_context(viewport=PHONE_VIEWPORT, is_mobile=True, bypass_csp=True)
    phone = context.new_page()
    clinic = make_clinic("Northside Therapy")
    make_client(clinic, "robin_ash", make_staff(clinic, "therapist_a", "therapist"))

    phone.goto(f"{live_server.url}/accounts/sign-in/")
    phone.get_by_role("link", name="Forgot your password?").click()
    assert serious_violations(phone) == []
    phone.get_by_label("E-mail").fill("robin_ash@example.org")
    phone.get_by_role("button", name="Send me a link").click()
    expect(phone.get_by_role("heading", name="Check your e-mail")).to_be_visible()

    send_account_emails()  # what the worker does
    assert [message.to for message in mailoutbox] == [["robin_ash@example.org"]]
    link = LINK.search(str(mailoutbox[0].body))
    assert link is not None
    phone.goto(live_server.url + link.group(1))
    expect(phone).to_have_url(re.compile(r"/accounts/password-reset/new/$"))  # token gone
    expect(phone.get_by_role("heading", name="Choose a new password")).to_be_visible()
    assert serious_violations(phone) == []
    phone.get_by_label("Choose a new password").fill("river-stones-at-dawn")
    phone.get_by_label("The same password again").fill("river-stones-at-dawn")
    phone.get_by_role("button", name="Save my new password").click()

    expect(phone.get_by_text("Your new password is set")).to_be_visible()
    phone.get_by_label("E-mail").fill("robin_ash@example.org")
    phone.get_by_label("Password").fill("river-stones-at-dawn")
    phone.get_by_role("button", name="Sign in", exact=True).click()
    expect(phone).to_have_url(re.compile(r"/me/$"))
    expect(phone.get_by_role("heading", name="Hello, Robin Ash")).to_be_visible()

    phone.goto(live_server.url + link.group(1))  # the same link again
    expect(phone.get_by_text("This link has been used already")).to_be_visible()
    context.close()
