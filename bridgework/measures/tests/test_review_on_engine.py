"""The Action Plan Review lives on the measures engine: every review is a response to it, the
definition matches the questions asked, and reviews stored before are carried over."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from bridgework.measures.library import FOLDER, read
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.plans.review import QUESTIONS
from bridgework.test import BaseTestCase, make_client, make_clinic, make_staff

BEFORE = [("plans", "0003_review_response")]
AFTER = [("plans", "0004_reviews_onto_the_engine")]


def test_the_definition_asks_exactly_the_review_questions() -> None:
    definition = read(FOLDER / "action-plan-review.json")
    assert [item["linkId"] for item in definition["item"]] == [q.link_id for q in QUESTIONS]
    for item, question in zip(definition["item"], QUESTIONS, strict=True):
        if question.kind == "scale":
            assert (item["type"], item["minValue"], item["maxValue"]) == (
                "integer",
                question.low,
                question.high,
            )


class ReviewResponseTests(BaseTestCase):
    def test_a_review_is_stored_as_a_response_with_the_same_answers(self) -> None:
        plan = plans.agree(
            plans.start_plan(
                self.client_a, by=self.therapist_a, template=PlanTemplate.objects.first()
            ),
            by=self.therapist_a,
        )
        answers = {
            "done": 2,
            "rationale-sense": 7,
            "learned": "Mornings work.",
            "decision": "continue",
        }
        review = plans.review(plan, by=self.therapist_a, session=None, answers=answers).review
        response = review.response
        assert response is not None
        self.assertEqual(
            (response.instrument.slug, response.answers, response.client),
            ("action-plan-review", answers, self.client_a),
        )


@pytest.mark.django_db(transaction=True)
def test_reviews_stored_before_the_engine_are_carried_over() -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    client = make_client(clinic, "robin_ash", therapist)
    plan = plans.start_plan(client, by=therapist, template=PlanTemplate.objects.first())
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    answers = {"done": 1, "goal-fit": 3, "decision": "stop"}
    old.get_model("plans", "Review").objects.create(
        plan_id=plan.pk,
        reviewed_by_id=therapist.pk,
        reviewed_at=timezone.now(),
        instrument_version="1.0",
        answers=answers,
        done=1,
        decision="stop",
    )
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    review = new.get_model("plans", "Review").objects.get(plan_id=plan.pk)
    response = new.get_model("measures", "Response").objects.get(pk=review.response_id)
    assert (response.answers, response.client_id, response.entered_by_id) == (
        answers,
        client.pk,
        therapist.pk,
    )
    # Back to the newest migrations, which the tests after this one (and its flush) expect.
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
