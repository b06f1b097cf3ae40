"""A template's details and seeds: checked as data on load, kept with the plan on save."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from bridgework.audit.models import AccessEvent
from bridgework.plans import actions
from bridgework.plans.library import LIBRARY, TemplateFileError, read_library
from bridgework.plans.models import ActionPlan
from bridgework.plans.tests.helpers import PlanTestCase

EXPERIMENT = "behavioural-experiment-test-a-prediction"


def library_with(tmp_path: Path, slug: str, **changes: Any) -> Path:
    folder = tmp_path / "library"
    shutil.copytree(LIBRARY, folder)
    path = folder / f"{slug}.json"
    data = json.loads(path.read_text())
    data.update(changes)
    path.write_text(json.dumps(data))
    return folder


def refusal(folder: Path) -> str:
    with pytest.raises(TemplateFileError) as raised:
        read_library(folder)
    return str(raised.value)


def test_the_shipped_seeds_fit_their_worksheets() -> None:
    seeded = {t["slug"]: t["seeds"] for t in read_library() if t.get("seeds")}
    assert seeded[EXPERIMENT]["belief_strength"] == "belief_before"
    assert seeded["exposure-step-up-the-ladder"] == {"what": "situation"}
    assert seeded["notice-the-pattern"] == {"rating_scale": {"label": "rating"}}


def test_a_seed_from_an_unknown_plan_field_is_refused_naming_file_template_and_field(
    tmp_path: Path,
) -> None:
    folder = library_with(tmp_path, "exposure-step-up-the-ladder", seeds={"mood": "situation"})
    message = refusal(folder)
    assert (
        "exposure-step-up-the-ladder.json: template 'exposure-step-up-the-ladder': "
        "field 'seeds/mood': 'mood' is not a plan field or a detail the template declares"
    ) in message


def test_a_seed_from_a_detail_the_template_does_not_declare_is_refused(tmp_path: Path) -> None:
    folder = library_with(tmp_path, "exposure-step-up-the-ladder", seeds={"belief": "situation"})
    assert "field 'seeds/belief': 'belief' is not a plan field or a detail" in refusal(folder)


def test_a_seed_into_a_field_the_worksheet_does_not_have_is_refused(tmp_path: Path) -> None:
    folder = library_with(tmp_path, "exposure-step-up-the-ladder", seeds={"what": "place"})
    message = refusal(folder)
    assert "template 'exposure-step-up-the-ladder': field 'seeds/what'" in message
    assert "the worksheet 'exposure-log' (version 2) has no field 'place'" in message


def test_text_seeded_into_a_number_is_refused(tmp_path: Path) -> None:
    folder = library_with(
        tmp_path, "exposure-step-up-the-ladder", seeds={"what": "distress_before"}
    )
    message = refusal(folder)
    assert "field 'seeds/what': 'what' is text, which cannot fill 'distress_before'" in message


def test_a_number_seeded_into_text_is_refused(tmp_path: Path) -> None:
    seeds = {"belief_strength": "belief"}
    folder = library_with(tmp_path, EXPERIMENT, seeds=seeds)
    message = refusal(folder)
    assert f"template '{EXPERIMENT}': field 'seeds/belief_strength'" in message
    assert "'belief_strength' is a number, which cannot fill 'belief'" in message


def test_a_label_must_come_from_text(tmp_path: Path) -> None:
    seeds = {"belief_strength": {"label": "belief_after"}}
    folder = library_with(tmp_path, EXPERIMENT, seeds=seeds)
    assert "cannot fill the label of 'belief_after'" in refusal(folder)


def test_seeds_without_a_worksheet_are_refused(tmp_path: Path) -> None:
    folder = library_with(tmp_path, "notice-the-pattern", worksheet="")
    assert "template 'notice-the-pattern': field 'seeds': seeds need a worksheet" in refusal(folder)


def test_an_unknown_detail_is_refused_by_the_schema(tmp_path: Path) -> None:
    folder = library_with(tmp_path, EXPERIMENT, details=["belief", "horoscope"])
    assert f"template '{EXPERIMENT}': field 'details/1'" in refusal(folder)


class PlanDetailTests(PlanTestCase):
    def experiment(self) -> ActionPlan:
        return self.draft(slug=EXPERIMENT)

    def save_details(self, plan: ActionPlan, **details: Any) -> ActionPlan:
        plan.refresh_from_db()
        return actions.save_plan(
            plan,
            by=self.therapist_a,
            version=plan.version,
            fields={},
            goals=[],
            obstacles=[],
            details={"belief": "", "belief_strength": None, **details},
        )

    def test_the_editor_shows_the_templates_details_in_their_own_card(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{self.experiment().pk}/edit/")
        self.assertContains(page, "data-plan-details")
        self.assertContains(page, "The belief to test, in the client&#x27;s words")
        self.assertContains(page, "How they would know (what they would see or hear)")
        ladder = self.client.get(f"/plans/{self.draft().pk}/edit/")
        self.assertNotContains(ladder, "data-plan-details")

    def test_details_typed_in_the_editor_are_saved_with_the_plan(self) -> None:
        plan = self.experiment()
        self.sign_in(self.therapist_a)
        form = self.client.get(f"/plans/{plan.pk}/edit/").context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None and k != "goals"}
        data.update(
            {
                "detail_belief": "If I speak up, people will laugh",
                "detail_belief_strength": "80",
                "detail_prediction": "Someone will laugh",
                "detail_how_they_would_know": "I would hear laughing",
                "detail_alternative_view": "They will listen",
                "obstacles-TOTAL_FORMS": "0",
                "obstacles-INITIAL_FORMS": "0",
                "save": "1",
            }
        )
        data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
        response = self.client.post(f"/plans/{plan.pk}/edit/", data)
        self.assertEqual(response.status_code, 302, response.content[:3000])
        plan.refresh_from_db()
        self.assertEqual(plan.details["belief_strength"], 80)
        self.assertEqual(plan.details["alternative_view"], "They will listen")

    def test_a_strength_over_100_is_refused_in_the_editor_naming_the_field(self) -> None:
        plan = self.experiment()
        with self.assertRaises(ValidationError) as raised:
            self.save_details(plan, belief_strength=130)
        self.assertIn("detail_belief_strength", raised.exception.message_dict)
        self.assertIn("from 0 to 100", raised.exception.message_dict["detail_belief_strength"][0])
        plan.refresh_from_db()
        self.assertEqual((plan.version, plan.details), (1, {}))

    def test_details_reach_the_revision_but_the_trail_only_by_name(self) -> None:
        plan = actions.agree(self.experiment(), by=self.therapist_a)
        self.save_details(plan, belief="Nobody wants to hear me", belief_strength=70)
        revision = plan.revisions.order_by("-number").first()
        assert revision is not None
        self.assertEqual(revision.snapshot["details"]["belief"], "Nobody wants to hear me")
        row = AccessEvent.objects.filter(object_type="plan", action="change").order_by("-id")[0]
        self.assertEqual(row.changes["detail"]["details"], ["belief", "belief_strength"])
        self.assertNotIn("Nobody wants", json.dumps(row.changes))
        self.assertIn("details", row.changes["named"])

    def test_a_revision_names_each_detail_that_changed(self) -> None:
        plan = actions.agree(self.experiment(), by=self.therapist_a)
        self.save_details(plan, belief="Nobody wants to hear me")
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/revisions/2/")
        self.assertContains(page, "The belief to test, in the client&#x27;s words")
        self.assertContains(page, "Nobody wants to hear me")

    def test_a_modified_plan_keeps_its_details_in_the_new_draft(self) -> None:
        plan = actions.agree(self.experiment(), by=self.therapist_a)
        self.save_details(plan, prediction="They will laugh")
        outcome = actions.review(
            plan,
            by=self.therapist_a,
            session=None,
            answers={"done": 2, "decision": "modify"},
        )
        assert outcome.successor is not None
        self.assertEqual(outcome.successor.details, {"prediction": "They will laugh"})
