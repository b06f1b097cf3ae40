"""The plan editor in a live session: few entries from template to agreed plan, and the
sticky Agree / Save bar never in the way of a field, on a phone, a tablet and a laptop."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest
from django.utils import timezone
from playwright.sync_api import Locator, Page, expect

from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.plans import actions
from bridgework.plans.models import ActionPlan, PlanTemplate, Status
from bridgework.test import browser_sign_in, make_client, make_clinic, make_staff

if TYPE_CHECKING:
    from playwright.sync_api import Browser, ViewportSize

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The promise is a plan made from a template in under two minutes of a live session. A
# therapist's minute goes on talking with the client, not on the form: the plan's own entries
# are a title in the client's words, the goal it serves, when, the obstacle the client
# recognises, importance and confidence (six of the process's steps 1–6, one entry each),
# plus finding the template. Eight fields and twelve clicks leave room for a second
# obstacle or a search that needs two words, and no more.
MOST_FIELDS, MOST_CLICKS = 8, 12

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "tablet": {"width": 768, "height": 1024},
    "laptop": {"width": 1280, "height": 800},
}


class Tally:
    """Drives the page and counts what a person would do: fields filled, clicks made."""

    def __init__(self) -> None:
        self.fields = self.clicks = 0

    def fill(self, field: Locator, value: str) -> None:
        field.fill(value)
        self.fields += 1

    def click(self, target: Locator) -> None:
        target.click()
        self.clicks += 1


def a_client_in_session() -> tuple[Client, str]:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist", approach="cbt")
    client = make_client(clinic, "robin_ash", therapist)
    care.add_goal(client, text="Take the bus to work", by=therapist)
    care.add_session(
        client,
        therapist=therapist,
        by=therapist,
        takeaway="Avoiding feeds fear",
        starts_at=timezone.now() - timedelta(minutes=30),
    )
    return client, therapist.email


def test_an_agreed_plan_from_a_template_takes_few_fields_and_clicks(
    live_server: Any, desktop: Page
) -> None:
    client, email = a_client_in_session()
    browser_sign_in(desktop, live_server.url, email)
    desktop.goto(f"{live_server.url}/clients/{client.pk}/")  # where the session starts from

    done = Tally()
    done.click(desktop.get_by_role("link", name="New plan"))
    done.fill(desktop.get_by_label("Search"), "ladder")
    done.click(desktop.get_by_role("button", name="Use Take the next step on the ladder"))
    done.fill(desktop.get_by_label("Title, in the client's words"), "Ride the 8:10 bus two stops")
    done.click(desktop.get_by_label("Take the bus to work"))
    done.fill(desktop.get_by_label("When", exact=True), "Tuesday and Friday, 8:10")
    done.click(desktop.get_by_label("Keep this obstacle").first)
    done.fill(desktop.get_by_label("How important is this to the client? (0–10)"), "9")
    done.fill(desktop.get_by_label("How confident is the client they will do it? (0–10)"), "8")
    done.click(desktop.get_by_role("button", name="Agree plan"))

    expect(desktop.get_by_text("Plan agreed. The client can see it now.")).to_be_visible()
    print(f"fields filled: {done.fields}, clicks: {done.clicks}")
    assert done.fields <= MOST_FIELDS and done.clicks <= MOST_CLICKS
    plan = ActionPlan.objects.get()
    template = PlanTemplate.objects.get(slug="exposure-step-up-the-ladder", clinic=None)
    assert (plan.status, plan.template, plan.when) == (
        Status.AGREED,
        template,
        "Tuesday and Friday, 8:10",
    )
    assert list(plan.obstacles.values_list("description", flat=True)) == [
        template.obstacles[0]["description"]
    ]
    assert plan.rationale == template.wording["cbt"]["rationale"]  # nothing typed twice
    expect(desktop.get_by_text("At least one obstacle with a coping plan: yes")).to_have_count(1)


@pytest.fixture(params=list(VIEWPORTS))
def screen(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    phone = request.param == "phone"
    context = browser.new_context(
        viewport=VIEWPORTS[request.param], is_mobile=phone, has_touch=phone
    )
    yield context.new_page()
    context.close()


def editor_with_every_kind_of_row(live_server: Any, page: Page) -> ActionPlan:
    """A draft with one obstacle kept and the template's others still offered: every kind of
    field the editor has, down to the last card."""
    client, email = a_client_in_session()
    therapist = client.care_team.get()
    template = PlanTemplate.objects.get(slug="exposure-step-up-the-ladder", clinic=None)
    plan = actions.start_plan(client, by=therapist, template=template)
    actions.save_plan(
        plan,
        by=therapist,
        version=plan.version,
        fields={},
        goals=list(client.goals.all()),
        obstacles=template.obstacles[:1],
    )
    browser_sign_in(page, live_server.url, email)
    page.goto(f"{live_server.url}/plans/{plan.pk}/edit/")
    page.locator(".slider").first.wait_for()  # the page's scripts have run
    return plan


# Where the focused element and the action bar stand on the screen, and whether they meet.
WHERE = """(element) => {
  const bar = document.querySelector(".sticky-actions").getBoundingClientRect();
  const box = element.getBoundingClientRect();
  return {
    field: element.name || element.id,
    overlaps: box.bottom > bar.top && box.top < bar.bottom
      && box.right > bar.left && box.left < bar.right,
    onScreen: box.top >= 0 && box.bottom <= window.innerHeight,
  };
}"""
FIELDS = (
    "form.plan-editor :is(input, select, textarea, button):not([type=hidden]):not([tabindex='-1'])"
    ":not(.sticky-actions *)"
)


def assert_clear_of_the_bar(where: dict[str, Any], how: str) -> None:
    assert where["onScreen"], f"{how}: {where['field']} was not scrolled into view"
    assert not where["overlaps"], f"{how}: the action bar covers {where['field']}"


def test_the_action_bar_never_covers_a_field_focused_by_script(
    live_server: Any, screen: Page
) -> None:
    editor_with_every_kind_of_row(live_server, screen)
    fields = screen.locator(FIELDS)
    assert fields.count() > 40  # the whole editor, obstacles and suggestions included
    for n in range(fields.count()):
        screen.evaluate("window.scrollTo(0, 0)")  # each field comes from above the fold
        field = fields.nth(n)
        if not field.is_visible():  # a part of the editor that is folded away
            continue
        field.evaluate("element => element.focus()")
        assert_clear_of_the_bar(field.evaluate(WHERE), "focus()")


def test_the_action_bar_never_covers_a_field_reached_with_the_tab_key(
    live_server: Any, screen: Page
) -> None:
    editor_with_every_kind_of_row(live_server, screen)
    expected = set(
        screen.locator(FIELDS).evaluate_all(
            "els => els.filter(e => e.checkVisibility()).map(e => e.name || e.id)"
        )
    )
    screen.get_by_label("Title, in the client's words").focus()
    reached = set()
    while True:
        focused = screen.locator(":focus")
        if focused.evaluate(
            "e => !e.closest('form.plan-editor') || !!e.closest('.sticky-actions')"
        ):
            break
        where = focused.evaluate(WHERE)
        assert_clear_of_the_bar(where, "Tab")
        reached.add(where["field"])
        screen.keyboard.press("Tab")
    # A radio group is one stop for the Tab key; every other field is reached.
    radios = set(
        screen.locator("form.plan-editor input[type=radio]").evaluate_all(
            "els => els.map(e => e.name)"
        )
    )
    assert expected - radios <= reached


def test_a_click_on_the_bars_empty_space_reaches_the_field_beneath(
    live_server: Any, screen: Page
) -> None:
    editor_with_every_kind_of_row(live_server, screen)
    note = screen.get_by_label("How it was rehearsed")
    bar = screen.locator(".sticky-actions").bounding_box()
    assert bar is not None
    # Scroll until the field's top edge just shows above the bar: the rest lies under it.
    note.evaluate(
        "(e, barTop) => window.scrollBy(0, e.getBoundingClientRect().top - barTop + 4)",
        bar["y"],
    )
    box = note.bounding_box()
    bar = screen.locator(".sticky-actions").bounding_box()
    assert box is not None and bar is not None
    assert box["y"] < bar["y"] + 10 < box["y"] + box["height"]  # under the bar, there
    # The bar's buttons sit on the left; its right end is empty space.
    screen.mouse.click(box["x"] + box["width"] - 8, bar["y"] + 10)
    expect(note).to_be_focused()
