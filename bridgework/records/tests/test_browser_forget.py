"""The phone forgets on next contact, in a real browser: an entry kept offline, the client
erased meanwhile, the phone back online — the entry is gone and the sign-in page shows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from bridgework.accounts.models import User
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.practice.models import PracticeLog
from bridgework.practice.tests.test_browser_practice import a_client_with_a_plan
from bridgework.records import actions, erasure
from bridgework.records.models import ForgottenSession
from bridgework.test import browser_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STORED = """() => new Promise((resolve) => {
  const request = indexedDB.open("bridgework", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("outbox", { keyPath: "uid" });
  request.onsuccess = () => {
    const db = request.result, all = db.transaction("outbox").objectStore("outbox").getAll();
    all.onsuccess = () => { db.close(); resolve(all.result.length); };
  };
})"""


def erase(client: Client, by: User) -> None:
    Client.objects.filter(pk=client.pk).update(created_at=timezone.now() - timedelta(days=366 * 12))
    client.refresh_from_db()
    ended = actions.today_for(client) - timedelta(days=366 * 11)
    care.finish_therapy(client, on=ended, by=by)
    request = actions.record_erasure_request(client, received_from="client", by=by)
    erasure.erase(request, by=None, trigger="request")


def test_an_erased_clients_phone_forgets_its_entries_when_it_comes_back_online(
    live_server, phone: Page
) -> None:
    therapist, client, _plan = a_client_with_a_plan()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    card = phone.get_by_role("article", name="Ride the bus two stops")
    phone.context.set_offline(True)
    card.get_by_label("How did it go?").fill("35")
    card.get_by_role("button", name="Partly").click()
    status = phone.locator("[data-outbox-status]")
    expect(status).to_have_text("1 entry is waiting on this phone to be sent.")
    assert phone.evaluate(STORED) == 1

    erase(client, therapist)
    assert ForgottenSession.objects.count() == 1

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.get_by_role("button", name="Sign in", exact=True)).to_be_visible(timeout=30_000)
    assert "/accounts/sign-in/" in phone.url
    assert phone.evaluate(STORED) == 0  # the stored entry is gone
    assert not PracticeLog.objects.exists()  # and it never reached the server
    assert not ForgottenSession.objects.exists()  # the marker was used up
