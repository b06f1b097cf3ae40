"""The client's phone: logging online, logging offline and syncing exactly once, and an
automated accessibility check of every client page."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Page, expect

from bridgework.accounts import actions as accounts
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.practice import actions, worksheets
from bridgework.practice.models import PracticeLog
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff, user_of
from bridgework.tests.accessibility import problems_on, serious_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def a_client_with_a_plan() -> tuple[Any, Any, ActionPlan]:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    template = PlanTemplate.objects.get(slug="exposure-step-up-the-ladder")
    plan = plans.start_plan(client, by=therapist, template=template)
    plan.title = "Ride the bus two stops"
    plan.save()
    return therapist, client, plans.agree(plan, by=therapist)


def test_a_client_logs_practice_in_two_taps(live_server, phone: Page) -> None:
    _therapist, _client, plan = a_client_with_a_plan()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    card = phone.get_by_role("article", name="Ride the bus two stops")
    card.get_by_label("How did it go?").fill("70")
    card.get_by_role("button", name="I did it").click()
    expect(phone.get_by_text("Saved. Well done for noting it.")).to_be_visible()
    log = PracticeLog.objects.get()
    assert (log.plan_id, log.outcome, log.entries) == (plan.pk, "done", {"how_it_went": 70})


def test_a_list_grows_a_row_at_a_time_up_to_the_worksheets_limit(live_server, phone: Page) -> None:
    _therapist, _client, plan = a_client_with_a_plan()  # the ladder asks for the exposure log
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.goto(f"{live_server.url}/me/plans/{plan.pk}/log/")
    minutes = phone.locator("input[name^='entries.series.'][name$='.minute']")
    expect(minutes).to_have_count(12)
    assert sum(1 for n in range(12) if minutes.nth(n).is_visible()) == 6
    add = phone.get_by_role("button", name="Add a row")
    add.click()
    expect(minutes.nth(6)).to_be_visible()
    expect(minutes.nth(6)).to_be_focused()
    for _ in range(5):
        add.click()
    expect(minutes.nth(11)).to_be_visible()
    expect(add).to_be_hidden()  # the worksheet's limit is reached
    phone.get_by_label("The situation I faced").fill("Bus")
    phone.get_by_label("Distress before (0–100)").fill("80")
    for n in range(12):
        row = phone.locator(".sheet-row").nth(n)
        row.locator("input[name$='.minute']").fill(str(5 * n))
        row.locator("input[name$='.distress']").fill(str(80 - 5 * n))
    phone.get_by_label("I did it").check()
    phone.get_by_role("button", name="Save").click()
    expect(phone.get_by_text("Saved. Well done for noting it.")).to_be_visible()
    assert len(PracticeLog.objects.get().entries["series"]) == 12


def test_entries_made_offline_are_sent_once_when_the_connection_returns(
    live_server, phone: Page, desktop: Page
) -> None:
    _therapist, _client, plan = a_client_with_a_plan()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    expect(phone.get_by_role("heading", name="Hello, Robin Ash")).to_be_visible()
    card = phone.get_by_role("article", name="Ride the bus two stops")

    phone.context.set_offline(True)
    card.get_by_label("How did it go?").fill("35")
    card.get_by_role("button", name="Partly").click()
    status = phone.locator("[data-outbox-status]")
    expect(status).to_have_text("1 entry is waiting on this phone to be sent.")
    card.get_by_label("How did it go?").fill("80")
    card.get_by_role("button", name="I did it").click()
    expect(status).to_have_text("2 entries are waiting on this phone to be sent.")
    assert PracticeLog.objects.count() == 0

    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(status).to_be_hidden(timeout=30_000)
    assert sorted(PracticeLog.objects.values_list("entries__how_it_went", flat=True)) == [35, 80]

    browser_sign_in(desktop, live_server.url, "therapist_a@example.org")
    desktop.goto(f"{live_server.url}/clients/{plan.client_id}/")
    practice = desktop.get_by_role("region", name="Practice, newest first")
    expect(
        practice.get_by_text("How did it go? (0 = very hard, 100 = very well): 35")
    ).to_have_count(1)
    expect(
        practice.get_by_text("How did it go? (0 = very hard, 100 = very well): 80")
    ).to_have_count(1)


def test_client_pages_have_no_serious_accessibility_violations(
    live_server, browser: Browser
) -> None:
    therapist, client, plan = a_client_with_a_plan()
    scale = actions.add_scale(
        client, by=therapist, name="Mood", low_anchor="low", high_anchor="high"
    )
    actions.check_in(client, by=user_of(client), uid=uuid.uuid4(), ratings={scale.pk: 40})
    actions.log_practice(
        client,
        by=user_of(client),
        uid=uuid.uuid4(),
        plan=plan,
        outcome="done",
        sheet=worksheets.current("exposure-log"),
        entries={
            "situation": "Bus",
            "distress_before": 70,
            "distress_peak": 80,
            "distress_after": 30,
        },
    )
    # Playwright's own script injection needs the page's CSP set aside; the app's pages are
    # otherwise exactly as served.
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    page = context.new_page()
    browser_sign_in(page, live_server.url, "robin_ash@example.org", client_app=True)
    pages = [
        "/me/",
        f"/me/plans/{plan.pk}/",
        f"/me/plans/{plan.pk}/log/",
        "/me/diary/",
        "/me/check-in/",
        "/me/history/",
        "/me/progress/",
        "/me/consents/",
        "/me/plans/propose/",
        "/me/reminders/",
        "/me/measures/phq-9/",
        f"/plans/{plan.pk}/summary/",
    ]
    problems = problems_on(page, live_server.url, pages)
    # Reflow (WCAG 1.4.10): at 320 CSS pixels — a phone with its text enlarged — nothing may
    # need sideways scrolling.
    page.set_viewport_size({"width": 320, "height": 640})
    for url in pages:
        page.goto(live_server.url + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 320:
            problems[url] = [
                *problems.get(url, []),
                f"needs sideways scrolling at 320 px ({width})",
            ]
    # The checker itself works: an unlabelled field is found.
    page.set_content("<html lang='en'><title>t</title><main><input type='text'></main></html>")
    canary = serious_violations(page)
    context.close()
    assert problems == {}
    assert any(found.startswith("label") for found in canary), canary


OUTBOX_SIZE = """new Promise((resolve) => {
  const request = indexedDB.open("bridgework", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("outbox", {keyPath: "uid"});
  request.onsuccess = () => {
    const count = request.result.transaction("outbox").objectStore("outbox").count();
    count.onsuccess = () => resolve(count.result);
  };
})"""


def test_signing_out_warns_about_unsent_entries_and_then_clears_the_phone(
    live_server, phone: Page
) -> None:
    a_client_with_a_plan()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    card = phone.get_by_role("article", name="Ride the bus two stops")
    phone.context.set_offline(True)
    card.get_by_role("button", name="I did it").click()
    expect(phone.locator("[data-outbox-status]")).to_have_text(
        "1 entry is waiting on this phone to be sent."
    )

    # A handler rather than expect_event: the dialog is answered the moment it opens, so the
    # click never waits on an open dialog (that wait timed out on a loaded machine).
    warnings: list[str] = []

    def note_and_dismiss(dialog: Dialog) -> None:
        warnings.append(dialog.message)
        dialog.dismiss()

    phone.once("dialog", note_and_dismiss)
    with phone.expect_event("dialog"):
        phone.get_by_role("button", name="Sign out").click()
    assert len(warnings) == 1 and "Entries not sent yet: 1." in warnings[0]
    assert phone.evaluate(OUTBOX_SIZE) == 1

    phone.context.set_offline(False)
    unexpected: list[str] = []

    def note_and_accept(dialog: Dialog) -> None:
        unexpected.append(dialog.message)
        dialog.accept()

    phone.on("dialog", note_and_accept)
    phone.get_by_role("button", name="Sign out").click()
    expect(phone).to_have_url(f"{live_server.url}/accounts/sign-in/")
    assert unexpected == []
    assert PracticeLog.objects.count() == 1
    assert phone.evaluate(OUTBOX_SIZE) == 0


def test_an_entry_refused_after_waiting_offline_is_shown_to_copy_then_discarded(
    live_server, phone: Page
) -> None:
    therapist, _client, plan = a_client_with_a_plan()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.goto(f"{live_server.url}/me/plans/{plan.pk}/log/")
    phone.locator("html[data-app-ready]").wait_for(state="attached")
    phone.context.set_offline(True)
    phone.get_by_label("Anything else to note").fill("Rode three stops, felt proud.")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("[data-outbox-status]")).to_contain_text("1 entry is waiting")
    plans.review(plan, by=therapist, session=None, answers={"done": 2, "decision": "stop"})
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(phone.locator("[data-outbox-status]")).to_contain_text(
        "could not be saved", timeout=30_000
    )
    phone.goto(f"{live_server.url}/me/history/")
    refused = phone.locator("[data-refused-entries]")
    expect(refused.get_by_text("Rode three stops, felt proud.")).to_be_visible()
    expect(refused.get_by_text("This plan has ended")).to_be_visible()
    refused.get_by_role("button", name="I have copied it: discard").click()
    expect(refused).to_be_hidden()
    assert PracticeLog.objects.count() == 0


@pytest.mark.parametrize(
    ("status", "body", "content_type", "why"),
    [
        (413, "<h1>Request Entity Too Large</h1>", "text/html", "too large to send"),
        (415, '{"errors": {"__all__": "Entries are sent as JSON."}}', "application/json", "JSON"),
    ],
)
def test_an_entry_the_server_refuses_is_kept_to_copy_and_never_sent_again(
    live_server, phone: Page, status: int, body: str, content_type: str, why: str
) -> None:
    a_client_with_a_plan()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    sent: list[str] = []

    def refuse(route: Any) -> None:
        sent.append(route.request.url)
        route.fulfill(status=status, body=body, content_type=content_type)

    phone.route("**/me/sync/", refuse)
    phone.goto(f"{live_server.url}/me/diary/")
    phone.locator("html[data-app-ready]").wait_for(state="attached")
    words = phone.get_by_label("What I want to write down")
    words.fill("The long walk home.")
    phone.get_by_role("button", name="Save").click()
    # Sent at once and refused: the form says why and still holds the words; nothing waits.
    expect(phone.locator("[data-problems]")).to_contain_text(why)
    expect(words).to_have_value("The long walk home.")
    assert phone.evaluate(OUTBOX_SIZE) == 0

    # Kept on the phone while offline, refused when sent: shown to copy, never sent again.
    phone.unroute("**/me/sync/")  # a route would answer even offline
    phone.context.set_offline(True)
    phone.get_by_role("button", name="Save").click()
    outbox = phone.locator("[data-outbox-status]")
    expect(outbox).to_have_text("1 entry is waiting on this phone to be sent.")
    phone.route("**/me/sync/", refuse)
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(outbox).to_have_text("Entries that could not be saved: 1 (see Everything I’ve logged).")

    phone.goto(f"{live_server.url}/me/history/")
    refused = phone.locator("[data-refused-entries]")
    expect(refused.get_by_text("The long walk home.")).to_be_visible()
    expect(refused.locator(".field-error")).to_contain_text(why)
    rounds = phone.locator("html[data-outbox-rounds]")
    expect(rounds).to_have_attribute("data-outbox-rounds", "1")  # the page's own try
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(rounds).to_have_attribute("data-outbox-rounds", "2")
    assert len(sent) == 2  # once from the form, once from the queue; then never again
    assert PracticeLog.objects.count() == 0


def test_an_entry_met_by_server_trouble_waits_and_is_tried_again_ever_later(
    live_server, phone: Page
) -> None:
    a_client_with_a_plan()
    phone.clock.install()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.clock.pause_at(phone.evaluate("Date.now()") + 1000)
    troubles = [503, 503]
    sent: list[int] = []

    def answer(route: Any) -> None:
        sent.append(1)
        if troubles:
            route.fulfill(status=troubles.pop(0), body="Service Unavailable")
        else:
            route.fallback()

    phone.route("**/me/sync/", answer)
    phone.get_by_role("article", name="Ride the bus two stops").get_by_role(
        "button", name="I did it"
    ).click()
    outbox = phone.locator("[data-outbox-status]")
    expect(outbox).to_have_text("1 entry is waiting on this phone to be sent.")
    html = phone.locator("html")
    expect(html).to_have_attribute("data-outbox-retry-in", "5000")
    assert (len(sent), PracticeLog.objects.count()) == (1, 0)

    with phone.expect_request("**/me/sync/"):
        phone.clock.run_for(5000)
    expect(html).to_have_attribute("data-outbox-retry-in", "10000")  # a longer pause
    expect(outbox).to_have_text("1 entry is waiting on this phone to be sent.")

    with phone.expect_request("**/me/sync/"):
        phone.clock.run_for(10000)
    expect(outbox).to_be_hidden()
    assert len(sent) == 3
    assert PracticeLog.objects.count() == 1


def test_a_diary_entry_written_offline_keeps_who_may_see_it(live_server, phone: Page) -> None:
    a_client_with_a_plan()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.goto(f"{live_server.url}/me/diary/")
    phone.locator("html[data-app-ready]").wait_for(state="attached")
    expect(phone.get_by_label("Only me")).to_be_checked()
    phone.context.set_offline(True)
    phone.get_by_label("What I want to write down").fill("For us to talk about.")
    phone.get_by_label("Me and my care team").check()
    phone.get_by_role("button", name="Save").click()
    outbox = phone.locator("[data-outbox-status]")
    expect(outbox).to_have_text("1 entry is waiting on this phone to be sent.")
    expect(phone.get_by_label("Only me")).to_be_checked()  # the next entry starts private
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(outbox).to_be_hidden()
    log = PracticeLog.objects.get()
    assert (log.entries, log.is_private) == ({"entry": "For us to talk about."}, False)
    phone.goto(f"{live_server.url}/practice/{log.pk}/")
    expect(phone.get_by_text("You and your care team.")).to_be_visible()


def test_entries_left_by_a_signed_out_client_wait_for_them_unseen_by_the_next_person(
    live_server, phone: Page
) -> None:
    clinic = make_clinic("Northside Therapy")
    robin = make_client(clinic, "robin_ash", make_staff(clinic, "therapist_a", "therapist"))
    elsewhere = make_clinic("Elsewhere Counselling")
    sam = make_client(elsewhere, "sam_lee", make_staff(elsewhere, "therapist_o", "therapist"))
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    phone.goto(f"{live_server.url}/me/diary/")
    phone.locator("html[data-app-ready]").wait_for(state="attached")
    words = phone.get_by_label("What I want to write down")
    outbox = phone.locator("[data-outbox-status]")
    # One of Robin's entries is refused after waiting (kept to copy), another still waits.
    phone.context.set_offline(True)
    words.fill("Robin's refused words")
    phone.get_by_role("button", name="Save").click()
    expect(outbox).to_have_text("1 entry is waiting on this phone to be sent.")
    phone.route("**/me/sync/", lambda route: route.fulfill(status=415, body="Unsupported"))
    phone.context.set_offline(False)
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(outbox).to_have_text("Entries that could not be saved: 1 (see Everything I’ve logged).")
    phone.unroute("**/me/sync/")
    phone.context.set_offline(True)
    words.fill("Robin's waiting words")
    phone.get_by_role("button", name="Save").click()
    expect(outbox).to_contain_text("1 entry is waiting on this phone to be sent.")

    # A password reset from elsewhere ends all of Robin's sessions, this phone's included.
    reset, _token = accounts.issue_password_reset(user_of(robin), by=None)
    accounts.choose_new_password(reset, password="a-new-long-password-77")
    phone.context.set_offline(False)
    rounds = phone.locator("html")
    before = int(rounds.get_attribute("data-outbox-rounds") or "0")
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(rounds).to_have_attribute("data-outbox-rounds", str(before + 1))
    expect(outbox).to_contain_text("1 entry is waiting")  # signed out: it waits
    assert PracticeLog.objects.count() == 0

    # Sam, of another clinic, signs in on the same phone: nothing of Robin's goes or shows.
    sent: list[str] = []
    phone.on(
        "request", lambda request: sent.append(request.url) if "/me/sync/" in request.url else None
    )
    browser_sign_in(phone, live_server.url, "sam_lee@example.org", client_app=True)
    for url in ("/me/", "/me/history/"):
        phone.goto(f"{live_server.url}{url}")
        expect(rounds).to_have_attribute("data-outbox-rounds", "1")  # the page's own round
        expect(outbox).to_be_hidden()
        expect(phone.get_by_text("Robin's")).to_have_count(0)
    expect(phone.locator("[data-refused-entries]")).to_be_hidden()
    assert sent == []
    assert not PracticeLog.objects.filter(client=sam).exists()
    assert phone.evaluate(OUTBOX_SIZE) == 2  # still on the phone, for Robin

    # Sam's session ends too (no sign-out on the phone); Robin signs in again: hers is sent.
    phone.context.clear_cookies()
    browser_sign_in(
        phone,
        live_server.url,
        "robin_ash@example.org",
        client_app=True,
        password="a-new-long-password-77",
    )
    expect(outbox).to_have_text("Entries that could not be saved: 1 (see Everything I’ve logged).")
    log = PracticeLog.objects.get()
    assert (log.client, log.entries, log.is_private) == (
        robin,
        {"entry": "Robin's waiting words"},
        True,
    )
    phone.goto(f"{live_server.url}/me/history/")
    expect(
        phone.locator("[data-refused-entries]").get_by_text("Robin's refused words")
    ).to_be_visible()


def test_an_entry_the_server_says_is_someone_elses_waits_neither_refused_nor_retried(
    live_server, phone: Page
) -> None:
    a_client_with_a_plan()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    sent: list[str] = []

    def not_yours(route: Any) -> None:
        sent.append(route.request.url)
        route.fulfill(
            status=409,
            body='{"errors": {"__all__": "Written by someone else on this phone."}}',
            content_type="application/json",
        )

    phone.route("**/me/sync/", not_yours)
    phone.goto(f"{live_server.url}/me/diary/")
    html = phone.locator("html")
    expect(html).to_have_attribute("data-outbox-rounds", "1")
    phone.get_by_label("What I want to write down").fill("Written in an old tab.")
    phone.get_by_role("button", name="Save").click()
    outbox = phone.locator("[data-outbox-status]")
    expect(outbox).to_have_text("1 entry is waiting on this phone to be sent.")
    expect(phone.locator("[data-problems]")).to_be_hidden()
    phone.evaluate("window.dispatchEvent(new Event('online'))")
    expect(html).to_have_attribute("data-outbox-rounds", "2")
    expect(outbox).to_have_text("1 entry is waiting on this phone to be sent.")
    assert phone.evaluate("document.documentElement.dataset.outboxRetryIn") is None
    assert len(sent) == 2  # once from the form, once from the round; no timer sends it again
    assert phone.evaluate(OUTBOX_SIZE) == 1


LEAVE_ON_PHONE = """(entries) => new Promise((resolve) => {
  const request = indexedDB.open("bridgework", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("outbox", {keyPath: "uid"});
  request.onsuccess = () => {
    const tx = request.result.transaction("outbox", "readwrite");
    const days = 24 * 60 * 60 * 1000;
    entries.forEach((entry) => tx.objectStore("outbox").put({
      uid: entry.uid, kind: "practice", owner: entry.owner, state: "waiting",
      savedAt: Date.now() - entry.days * days,
      form: {uid: entry.uid, sheet: "free-diary", "entries.entry": "Someone's words"},
    }));
    tx.oncomplete = () => resolve(true);
  };
})"""
OUTBOX_UIDS = """new Promise((resolve) => {
  const request = indexedDB.open("bridgework", 1);
  request.onsuccess = () => {
    const keys = request.result.transaction("outbox").objectStore("outbox").getAllKeys();
    keys.onsuccess = () => resolve(keys.result.sort());
  };
})"""


def test_others_entries_are_dropped_after_thirty_days_and_unstamped_ones_are_never_sent(
    live_server, phone: Page
) -> None:
    a_client_with_a_plan()
    browser_sign_in(phone, live_server.url, "robin_ash@example.org", client_app=True)
    someone = "0" * 32  # another account's reference
    left: list[dict[str, Any]] = [
        {"uid": str(uuid.uuid4()), "owner": someone, "days": 31},
        {"uid": str(uuid.uuid4()), "owner": someone, "days": 29},
        {"uid": str(uuid.uuid4()), "owner": None, "days": 31},  # from before entries had owners
        {"uid": str(uuid.uuid4()), "owner": None, "days": 1},
    ]
    phone.evaluate(LEAVE_ON_PHONE, left)
    sent: list[str] = []
    phone.on(
        "request", lambda request: sent.append(request.url) if "/me/sync/" in request.url else None
    )
    phone.goto(f"{live_server.url}/me/history/")
    expect(phone.locator("html")).to_have_attribute("data-outbox-rounds", "1")
    assert phone.evaluate(OUTBOX_UIDS) == sorted([left[1]["uid"], left[3]["uid"]])
    expect(phone.locator("[data-outbox-status]")).to_be_hidden()
    expect(phone.get_by_text("Someone's words")).to_have_count(0)
    assert sent == []
    assert PracticeLog.objects.count() == 0
