"""The engagement profile's rules, on facts alone (no database): where an entry falls between
reviews, what counts as an answer, when a period is open, and how "learned" is told."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.test import SimpleTestCase

from bridgework.practice.engagement import (
    EntryFacts,
    Learned,
    Missing,
    PlanFacts,
    ReviewFacts,
    answers_of,
    plan_profile,
    trend,
)

START = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


def entry(on: float, outcome: str = "done", **facts: Any) -> EntryFacts:
    return EntryFacts(
        practiced_at=day(on),
        outcome=outcome,
        obstacles_noted=facts.get("obstacles_noted", False),
        learned_asked=facts.get("learned_asked", False),
        learned=facts.get("learned", False),
    )


def review(on: float, **answers: Any) -> ReviewFacts:
    return ReviewFacts(day(on), None, {"decision": "continue"} | answers, "continue", "1.0")


def plan(
    reviews: tuple[ReviewFacts, ...], entries: tuple[EntryFacts, ...], status: str = "active"
) -> PlanFacts:
    return PlanFacts(1, "Walk to the shop", "exposure-in-vivo", 1, status, START, reviews, entries)


class EngagementRulesTests(SimpleTestCase):
    def test_an_entry_practised_at_the_moment_of_a_review_belongs_to_the_period_it_ends(
        self,
    ) -> None:
        periods = plan_profile(plan((review(7),), (entry(7), entry(7.001)))).periods
        self.assertEqual([p.practice.entries for p in periods], [1, 1])
        self.assertEqual([p.reviewed for p in periods], [True, False])

    def test_entries_before_the_plan_began_count_in_its_first_period(self) -> None:
        (first, _open) = plan_profile(plan((review(7),), (entry(-2),))).periods
        self.assertEqual(first.practice.done, 1)

    def test_an_answer_that_is_not_a_whole_number_is_not_asked_rather_than_made_a_number(
        self,
    ) -> None:
        said = answers_of(review(1, done=2, difficulty="7", distress=True, **{"goal-fit": 0}))
        self.assertEqual(said.done, 2)
        self.assertEqual(said.goal_fit, 0)  # a real 0 stays 0
        self.assertIs(said.difficulty, Missing.NOT_ASKED)
        self.assertIs(said.distress, Missing.NOT_ASKED)
        self.assertIs(said.rationale_sense, Missing.NOT_ASKED)

    def test_only_texts_with_words_name_what_got_in_the_way(self) -> None:
        said = answers_of(review(1, **{"practical-obstacles": "  ", "beliefs": "A test"}))
        self.assertEqual(said.in_the_way, ("beliefs",))
        self.assertIs(said.learned, False)
        self.assertIs(answers_of(None).in_the_way, Missing.NOT_REVIEWED)

    def test_a_closed_plan_has_no_open_period_unless_entries_came_after_its_review(self) -> None:
        closed = plan((review(7),), (entry(3),), status="reviewed")
        self.assertEqual(len(plan_profile(closed).periods), 1)
        late = plan((review(7),), (entry(3), entry(9)), status="reviewed")
        self.assertEqual(len(plan_profile(late).periods), 2)
        waiting = plan((), ())  # active, nothing logged yet: one open period of 0 entries
        (only,) = plan_profile(waiting).periods
        self.assertEqual((only.number, only.practice.entries, only.reviewed), (1, 0, False))

    def test_learned_is_yes_nothing_written_or_not_asked(self) -> None:
        self.assertIs(Learned(1, 1, 0, 0).state, True)
        self.assertIs(Learned(0, 1, 2, 3).state, True)
        self.assertIs(Learned(0, 1, 0, 3).state, Missing.NOTHING_WRITTEN)
        self.assertIs(Learned(0, 2, 0, 0).state, Missing.NOT_ASKED)

    def test_the_trend_keeps_the_newest_reviewed_periods_oldest_first(self) -> None:
        reviews = tuple(review(7 * n) for n in range(1, 9))
        profile = plan_profile(plan(reviews, ()))
        shown = trend([profile], shown=3)
        self.assertEqual([p.number for p in shown], [6, 7, 8])
