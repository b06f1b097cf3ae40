from __future__ import annotations

import dataclasses
from datetime import timedelta

from django.utils import timezone

from bridgework.care import actions as care
from bridgework.plans import actions, indicators
from bridgework.plans.indicators import PlanFacts
from bridgework.plans.tests.helpers import PlanTestCase
from bridgework.test import user_of

GOOD = PlanFacts(
    has_goal=True,
    proposed_by="jointly",
    builds_on_takeaway=True,
    has_rationale=True,
    obstacles_with_coping=1,
    seen_by_client=True,
    importance_recorded=True,
    confidence_recorded=True,
    review_due=True,
    reviewed=True,
    last_done=3,
    last_decision="continue",
    replaced=False,
)


def with_(**changes: object) -> dict[str, bool | None]:
    return indicators.indicators(dataclasses.replace(GOOD, **changes))  # type: ignore[arg-type]


def test_a_well_made_and_reviewed_plan_has_every_indicator() -> None:
    assert indicators.indicators(GOOD) == dict.fromkeys("abcdefg", True)
    assert indicators.score(indicators.indicators(GOOD)) == (7, 7)


def test_a_needs_a_goal_and_joint_design() -> None:
    assert with_(has_goal=False)["a"] is False
    assert with_(proposed_by="therapist")["a"] is False
    assert with_(proposed_by="client")["a"] is True


def test_b_to_f_follow_their_facts() -> None:
    assert with_(builds_on_takeaway=False)["b"] is False
    assert with_(has_rationale=False)["c"] is False
    assert with_(obstacles_with_coping=0)["d"] is False
    assert with_(seen_by_client=False)["e"] is False
    assert with_(importance_recorded=False)["f"] is False
    assert with_(confidence_recorded=False)["f"] is False


def test_g_is_not_applicable_before_the_review_is_due() -> None:
    results = with_(reviewed=False, review_due=False, last_done=None, last_decision=None)
    assert results["g"] is None
    assert indicators.score(results) == (6, 6)


def test_g_is_absent_when_the_review_is_overdue() -> None:
    assert with_(reviewed=False, last_done=None, last_decision=None)["g"] is False


def test_g_needs_a_change_after_a_review_that_showed_low_engagement() -> None:
    assert with_(last_done=1, last_decision="continue")["g"] is False
    assert with_(last_done=0, last_decision="modify")["g"] is True
    assert with_(last_done=1, last_decision="stop")["g"] is True
    assert with_(last_done=1, last_decision="continue", replaced=True)["g"] is True


class IndicatorsFromRecordsTests(PlanTestCase):
    def test_facts_come_from_the_record(self) -> None:
        goal = care.add_goal(self.client_a, text="Ride the bus", by=self.therapist_a)
        plan = self.draft()
        plan.goals.add(goal)
        self.edit(plan, importance=8, confidence=5)
        # A template's obstacles are only suggestions: none was chosen yet, so none counts.
        self.assertIs(indicators.indicators(indicators.facts_of(plan, timezone.now()))["d"], False)
        self.edit(plan, obstacles=self.template().obstacles[:1])
        actions.agree(plan, by=self.therapist_a)
        actions.record_seen(plan, by=user_of(self.client_a))
        facts = indicators.facts_of(plan, timezone.now())
        results = indicators.indicators(facts)
        self.assertEqual(
            results, {"a": True, "b": True, "c": True, "d": True, "e": True, "f": True, "g": None}
        )
        later = indicators.indicators(indicators.facts_of(plan, timezone.now() + timedelta(days=8)))
        self.assertIs(later["g"], False)

    def test_the_plan_page_and_caseload_show_them(self) -> None:
        plan = self.agreed()
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/")
        self.assertContains(page, "Plan quality")
        self.assertContains(page, 'Has a rationale<span class="visually-hidden">: yes')
        caseload = self.client.get("/clients/")
        self.assertContains(caseload, "Latest plan's quality")
        self.assertContains(caseload, "<td>3/6</td>", html=False)
