"""The main tasks with the keyboard alone — Tab, Shift+Tab, Enter, Space and the arrow keys,
never a click: a client logs practice and a check-in on their phone; a therapist makes a plan
from a template, agrees it with the client and reviews it. At every stop the focus must be
visible, on screen and not covered (the sticky action bar included); every page of the walk
is gone round whole, forwards and back, to prove there is no trap; and the accessibility tree
of each page (roles, names, headings, the live regions that say "saved" and "waiting to
send") is checked with Playwright's ARIA snapshots."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from bridgework.care import actions as care
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate, Status
from bridgework.practice import actions as practice
from bridgework.practice.models import CheckIn, PracticeLog
from bridgework.test import PASSWORD, make_client, make_clinic, make_staff
from bridgework.tests.accessibility import describe, focus_problems, focused, wcag_violations

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# More stops than any page of the walk has: a Tab key that never comes back round is a trap.
MOST_STOPS = 150
STOPS_IN_ONE_FIELD = 5


class Keyboard:
    """A person with a keyboard and no mouse. Every key press is followed by a look at the
    focus: it must be visible, on screen and not covered; any fault fails the walk."""

    def __init__(self, page: Page) -> None:
        self.page = page

    def press(self, key: str) -> dict[str, Any] | None:
        self.page.keyboard.press(key)
        where = focused(self.page)
        problems = focus_problems(where)
        assert not problems, f"after {key} on {self.page.url}: {problems}"
        return where

    def follow(self, key: str = "Enter") -> None:
        """A key that opens a link or sends a form: the next page is waited for."""
        with self.page.expect_navigation():
            self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.page.keyboard.type(text)

    def tab_to(self, target: Locator, *, key: str = "Tab") -> list[str]:
        """Tab (or Shift+Tab) until the target has the focus, never passing the page's end:
        the target comes later in the order than where the focus was. Returns the stops."""
        stops: list[str] = []
        if is_focused(target):  # already there (autofocus)
            return stops
        for _ in range(MOST_STOPS):
            where = self.press(key)
            if where is None:
                raise AssertionError(f"{key} went past the page's end before {target}: {stops}")
            stops.append(describe(where))
            if is_focused(target):
                return stops
        raise AssertionError(f"{target} not reached with {key}: {stops}")

    def go_round(self) -> list[str]:
        """Tab from the top of the page to its end and Shift+Tab back: every stop visible and
        clear, the same stops both ways, and the focus free to leave at both ends."""
        self.page.evaluate("document.activeElement && document.activeElement.blur()")
        self.page.evaluate("window.scrollTo(0, 0)")
        forwards = self.stops_until_the_end("Tab")
        backwards = self.stops_until_the_end("Shift+Tab")
        assert backwards == forwards[::-1], f"Shift+Tab retraces not {forwards} but {backwards}"
        if focused(self.page) is not None:  # back round at the end: one Tab leaves the page,
            assert self.press("Tab") is None  # so the next starts again from the top
        return forwards

    def stops_until_the_end(self, key: str) -> list[str]:
        """The stops until the focus leaves the page, or comes round to the first stop again
        (Chromium's Shift+Tab wraps from the top to the end without leaving)."""
        stops: list[str] = []
        for _ in range(MOST_STOPS):
            where = self.press(key)
            if where is None or (stops and describe(where) == stops[0] != stops[-1]):
                return stops
            stops.append(describe(where))
            # A date field takes a Tab for each of its parts; more than that in one place is
            # a field that will not let the focus go.
            if len(stops) > STOPS_IN_ONE_FIELD and len(set(stops[-STOPS_IN_ONE_FIELD:])) == 1:
                break
        raise AssertionError(f"a keyboard trap on {self.page.url}: {stops[-10:]}")


def is_focused(target: Locator) -> bool:
    return bool(target.evaluate("element => element === document.activeElement"))


def sign_in_by_keyboard(keys: Keyboard, base_url: str, email: str) -> None:
    page = keys.page
    page.goto(f"{base_url}/accounts/sign-in/")
    keys.tab_to(page.get_by_label("E-mail"))
    keys.type(email)
    keys.tab_to(page.get_by_label("Password"))
    keys.type(PASSWORD)
    keys.follow("Enter")


def in_order(stops: list[str], *wanted: str) -> bool:
    """The wanted stops appear in this order among the stops (each found by a part of it)."""
    at = 0
    for part in wanted:
        while at < len(stops) and part not in stops[at]:
            at += 1
        if at == len(stops):
            return False
    return True


@pytest.fixture
def keyboard_phone(browser: Browser) -> Iterator[Keyboard]:
    # A phone with a keyboard (a Bluetooth one, or a switch device sending Tab and Enter).
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, bypass_csp=True
    )
    yield Keyboard(context.new_page())
    context.close()


@pytest.fixture
def keyboard_laptop(browser: Browser) -> Iterator[Keyboard]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    yield Keyboard(context.new_page())
    context.close()


def a_client_with_a_plan_and_a_scale() -> ActionPlan:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    template = PlanTemplate.objects.get(slug="exposure-step-up-the-ladder")
    plan = plans.start_plan(client, by=therapist, template=template)
    plan.title = "Ride the bus two stops"
    plan.save()
    practice.add_scale(client, by=therapist, name="Mood", low_anchor="low", high_anchor="high")
    return plans.agree(plan, by=therapist)


ME = """
- banner:
  - link "Bridgework · Northside Therapy"
  - navigation "Main":
    - list:
      - listitem:
        - link "Today"
      - listitem:
        - link "Progress"
      - listitem:
        - link "Settings"
      - listitem:
        - button "Sign out"
- main:
  - heading "Hello, Robin Ash" [level=1]
  - region "Your action plans":
    - heading "Your action plans" [level=2]
    - article /Ride the bus two stops/:
      - heading /Ride the bus two stops/ [level=3]:
        - link "Ride the bus two stops"
      - spinbutton "How did it go? (0 = very hard, 100 = very well)"
      - button "I did it"
      - button "Partly"
      - button "Not this time"
      - paragraph:
        - link "Fill in the worksheet"
  - region "How are you right now?":
    - heading "How are you right now?" [level=2]
    - paragraph:
      - link "Check in"
  - navigation "More":
    - list:
      - listitem:
        - link "Write in my diary"
"""
CHECK_IN = """
- main:
  - paragraph:
    - link "← Today"
  - heading "How are you right now?" [level=1]
  - spinbutton "Mood (0 = low, 100 = high)"
  - button "Save"
"""
# What a screen reader is told after each save: the server's "saved" and, offline, the
# phone's own "saved on this phone" and the count waiting to be sent, each in a status region
# (a polite live region) that was in the page before its words came.
SAVED = """
- main:
  - status:
    - paragraph: Saved. Well done for noting it.
  - heading "Hello, Robin Ash" [level=1]
"""
WAITING = """
- main:
  - status:
    - paragraph: 1 entry is waiting on this phone to be sent.
  - status: Saved on this phone. It will be sent when you are back online.
  - status:
    - paragraph: Saved. Well done for noting it.
  - heading "Hello, Robin Ash" [level=1]
"""


def test_a_client_logs_practice_and_checks_in_with_the_keyboard_alone(
    live_server: Any, keyboard_phone: Keyboard
) -> None:
    a_client_with_a_plan_and_a_scale()
    keys, page = keyboard_phone, keyboard_phone.page
    sign_in_by_keyboard(keys, live_server.url, "robin_ash@example.org")
    page.locator("html[data-app-ready]").wait_for(state="attached")
    expect(page.locator("body")).to_match_aria_snapshot(ME)
    stops = keys.go_round()
    assert in_order(stops, "Skip to content", "Today", "Sign out", "How did it go?", "I did it")
    assert in_order(stops, "I did it", "Partly", "Not this time", "Check in", "My reminders")

    # The skip link first, then straight into the day's plans.
    card = page.get_by_role("article", name="Ride the bus two stops")
    keys.tab_to(page.get_by_role("link", name="Skip to content"))
    keys.press("Enter")
    expect(page.locator("main")).to_be_focused()
    keys.tab_to(card.get_by_label("How did it go?"))
    keys.type("70")
    keys.tab_to(card.get_by_role("button", name="I did it"))
    keys.follow("Enter")
    expect(page.locator("body")).to_match_aria_snapshot(SAVED)
    assert PracticeLog.objects.get().entries == {"how_it_went": 70}

    keys.tab_to(page.get_by_role("link", name="Check in"))
    keys.follow("Enter")
    page.locator("html[data-app-ready]").wait_for(state="attached")
    expect(page.locator("body")).to_match_aria_snapshot(CHECK_IN)
    keys.go_round()
    mood = page.get_by_label("Mood")
    keys.tab_to(mood)
    keys.type("40")
    keys.press("ArrowUp")  # one more, with the arrow key
    expect(mood).to_have_value("41")
    keys.tab_to(page.get_by_role("button", name="Save"))
    keys.follow("Space")
    expect(page.locator("body")).to_match_aria_snapshot(SAVED)
    assert list(CheckIn.objects.get().ratings.values_list("scale__name", "value")) == [("Mood", 41)]

    # Offline, the entry waits on the phone; the client hears so and keeps their place.
    page.context.set_offline(True)
    partly = card.get_by_role("button", name="Partly")
    keys.tab_to(partly)
    keys.press("Enter")
    expect(page.locator("body")).to_match_aria_snapshot(WAITING)
    expect(partly).to_be_focused()
    assert focus_problems(focused(page)) == []
    page.context.set_offline(False)
    page.evaluate("window.dispatchEvent(new Event('online'))")
    expect(page.locator("[data-outbox-status]")).to_be_hidden()
    assert PracticeLog.objects.count() == 2


def a_client_in_session() -> Any:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    care.add_goal(client, text="Take the bus to work", by=therapist)
    care.add_session(
        client,
        therapist=therapist,
        by=therapist,
        takeaway="Avoiding feeds fear",
        starts_at=timezone.now() - timedelta(days=7),
    )
    care.add_session(client, therapist=therapist, by=therapist, starts_at=timezone.now())
    # The next session, where the plan is reviewed.
    care.add_session(
        client, therapist=therapist, by=therapist, starts_at=timezone.now() + timedelta(days=7)
    )
    return client


NEW_PLAN = """
- heading "New plan with Robin Ash" [level=1]
- search:
  - textbox "Search": ladder
  - combobox "Kind of task"
  - combobox "Wording for"
  - checkbox "Shared-screen mode" [checked]
- status: 1 template matches.
- button "Start from a blank plan"
- list:
  - listitem:
    - heading "Take the next step on the ladder" [level=2]
    - button "Use Take the next step on the ladder"
"""
EDITOR = """
- heading "Our plan — Robin Ash" [level=1]
- group "The plan":
  - textbox "Title, in the client's words"
  - group "Goals it serves":
    - checkbox "Take the bus to work"
- group "Why, and what to do":
  - textbox "When"
- group "What might get in the way, and what to do then":
  - group "Obstacle 1":
    - combobox "Kind"
    - textbox "What might get in the way"
    - textbox "What I'll do then"
  - group "Obstacle 2"
  - heading "Obstacles others often meet with this task" [level=2]
  - group "The fear spikes and I want to leave straight away":
    - checkbox "Keep this obstacle"
- group "How it feels to the client":
  - spinbutton "How important is this to the client? (0–10)"
  - spinbutton "How confident is the client they will do it? (0–10)"
  - status
- button "Agree plan"
- button "Save draft"
"""
AGREED = """
- status:
  - paragraph: Plan agreed. The client can see it now.
- heading /Ride the 8:10 bus two stops/ [level=1]
- heading "Agreement" [level=2]
- term: Importance
- definition: 9/10
- term: Confidence
- definition: 8/10
- region /Plan quality/
"""
REVIEW = """
- 'heading "Review: Ride the 8:10 bus two stops" [level=1]'
- combobox "Reviewed in"
- group "How much of the plan did you do, compared with what we planned?":
  - radio "Not at all"
  - radio "All of it, or more"
- textbox "What did you learn? If it didn't happen, what does that teach us?"
- group "What shall we do with this plan?":
  - radio "Continue"
- button "Save review"
- complementary:
  - heading "The plan as agreed" [level=2]
"""
REVIEWED = """
- status:
  - paragraph: Review saved.
- heading /Ride the 8:10 bus two stops/ [level=1]
- heading "Reviews" [level=2]
"""


def test_a_therapist_makes_agrees_and_reviews_a_plan_with_the_keyboard_alone(
    live_server: Any, keyboard_laptop: Keyboard
) -> None:
    client = a_client_in_session()
    keys, page = keyboard_laptop, keyboard_laptop.page
    sign_in_by_keyboard(keys, live_server.url, "therapist_a@example.org")
    page.goto(f"{live_server.url}/clients/{client.pk}/")  # where the session starts from
    stops = keys.go_round()
    assert in_order(stops, "Skip to content", "Caseload", "Sign out", "New plan")
    keys.tab_to(page.get_by_role("link", name="New plan"))
    keys.follow("Enter")

    # The template library: search, then the template's own button.
    expect(page.get_by_role("heading", name="New plan with Robin Ash", level=1)).to_be_visible()
    keys.go_round()
    keys.tab_to(page.get_by_label("Search"))
    keys.type("ladder")
    use = page.get_by_role("button", name="Use Take the next step on the ladder")
    expect(page.locator(".template")).to_have_count(1)  # the list has followed the search
    expect(page.locator("main")).to_match_aria_snapshot(NEW_PLAN)
    keys.tab_to(use)
    keys.follow("Enter")

    # The editor: every field the plan needs, the sticky bar never over the focused one.
    expect(page.get_by_role("heading", name="Our plan — Robin Ash", level=1)).to_be_visible()
    page.locator(".slider").first.wait_for()  # the page's scripts have run
    expect(page.locator("main")).to_match_aria_snapshot(EDITOR)
    stops = keys.go_round()
    assert in_order(
        stops,
        "Title, in the client's words",
        "Take the bus to work",
        "'When'",
        "Keep this obstacle",
        "How important",
        "How confident",
        "Agree plan",
        "Save draft",
    )
    keys.tab_to(page.get_by_label("Title, in the client's words"))
    keys.press("Control+a")
    keys.type("Ride the 8:10 bus two stops")
    keys.tab_to(page.get_by_label("Take the bus to work"))
    keys.press("Space")
    keys.tab_to(page.get_by_label("When", exact=True))
    keys.type("Tuesday and Friday, 8:10")
    keys.tab_to(page.get_by_label("Keep this obstacle").first)
    keys.press("Space")
    keys.tab_to(page.get_by_label("How important is this to the client? (0–10)"))
    keys.type("9")
    keys.tab_to(page.get_by_label("How confident is the client they will do it? (0–10)"))
    keys.type("8")
    keys.tab_to(page.get_by_role("button", name="Agree plan"))
    keys.follow("Enter")

    # The plan page says it is agreed; from there to the review.
    expect(page.locator("main")).to_match_aria_snapshot(AGREED)
    plan = ActionPlan.objects.get()
    assert (plan.status, plan.title, plan.when, plan.importance, plan.confidence) == (
        Status.AGREED,
        "Ride the 8:10 bus two stops",
        "Tuesday and Friday, 8:10",
        9,
        8,
    )
    assert list(plan.goals.values_list("text", flat=True)) == ["Take the bus to work"]
    assert plan.obstacles.count() == 1
    keys.go_round()

    # The screen was the client's too (shared-screen mode, the default in a session): the
    # therapist's password takes it back, and the review opens from the plan page.
    keys.tab_to(page.get_by_role("link", name="Exit shared screen"))
    keys.follow("Enter")
    keys.go_round()
    keys.tab_to(page.get_by_label("Your password"))
    keys.type(PASSWORD)
    keys.follow("Enter")
    expect(page.get_by_role("link", name="Caseload")).to_be_visible()
    keys.tab_to(page.get_by_role("link", name="Review", exact=True))
    keys.follow("Enter")

    # The review: a session chosen with the arrow keys, answers by radio group and number.
    expect(page.get_by_role("heading", name="Review: Ride the 8:10 bus two stops")).to_be_visible()
    page.locator(".slider").first.wait_for()
    expect(page.locator("main")).to_match_aria_snapshot(REVIEW)
    keys.go_round()
    keys.tab_to(page.get_by_label("Reviewed in"))
    keys.press("ArrowDown")
    done = page.get_by_role("group", name="How much of the plan did you do")
    keys.tab_to(done.get_by_role("radio", name="Not at all"))  # the first, none chosen yet
    keys.press("ArrowRight")
    keys.press("ArrowRight")
    expect(done.get_by_role("radio", name="About half")).to_be_checked()
    keys.tab_to(page.get_by_label("What did you learn?", exact=False))
    keys.type("Two stops are fine; three feel far.")
    decision = page.get_by_role("group", name="What shall we do with this plan?")
    keys.tab_to(decision.get_by_role("radio").first)
    keys.press("Space")
    keys.tab_to(page.get_by_role("button", name="Save review"))
    keys.follow("Enter")
    expect(page.locator("main")).to_match_aria_snapshot(REVIEWED)
    plan.refresh_from_db()
    review = plan.reviews.get()
    assert (review.answers["done"], review.answers["learned"], review.session) == (
        2,
        "Two stops are fine; three feel far.",
        client.sessions.order_by("-starts_at").first(),
    )


PROBLEMS_PAGE = """<!doctype html><html lang="en"><title>t</title><body><main>
<h1>Checks</h1><h3>Skips a level</h3><input id="trap" aria-label="Trap">
<button id="plain">Plain</button>
<button id="no-ring" style="outline: none">No ring</button>
<form style="height: 3000px"><input id="under" aria-label="Under the bar"
  style="position: fixed; bottom: 10px"><div class="sticky-actions"
  style="position: fixed; bottom: 0; height: 60px; width: 100%; background: #eee"></div></form>
</main></body></html>"""


def test_the_checks_find_what_they_look_for(browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 800, "height": 600})
    page = context.new_page()
    page.set_content(PROBLEMS_PAGE)
    page.add_style_tag(content=":focus-visible { outline: 3px solid orange; }")
    # axe at every impact: heading order is only "moderate".
    assert any(found.startswith("heading-order (moderate)") for found in wcag_violations(page))
    keys = Keyboard(page)
    page.focus("#plain")
    assert focus_problems(focused(page)) == []
    page.keyboard.press("Tab")
    assert any("no visible focus" in problem for problem in focus_problems(focused(page)))
    page.keyboard.press("Tab")
    assert any("covered while focused" in problem for problem in focus_problems(focused(page)))
    # A field that swallows the Tab key holds the keyboard: the walk says so.
    page.evaluate(
        """() => document.getElementById("trap").addEventListener("keydown",
          (event) => { if (event.key === "Tab") event.preventDefault(); })"""
    )
    page.focus("#trap")
    with pytest.raises(AssertionError, match="a keyboard trap on"):
        keys.stops_until_the_end("Tab")
    context.close()
