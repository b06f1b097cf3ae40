"""From template to review with nothing typed twice: what a plan agreed opens pre-filled on
the client's worksheet (by page or by the phone's queue), and the review shows the words."""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from unittest import mock

from django.core.exceptions import ValidationError

from bridgework.accounts import actions as accounts
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan
from bridgework.practice import actions, worksheets
from bridgework.practice.models import PracticeLog
from bridgework.practice.tests.test_logging import PracticeTestCase
from bridgework.test import user_of

EXPERIMENT = "behavioural-experiment-test-a-prediction"
AGREED = {
    "belief": "If I say no, my friends will drop me",
    "belief_strength": 85,
    "prediction": "Sam will stop answering my messages",
    "how_they_would_know": "No reply for a week",
    "alternative_view": "Friends can take a no",
}


@contextmanager
def worksheet_version(slug: str, version: int, **limits: int) -> Iterator[None]:
    """The shipped worksheets plus a newer version of one, whose named text fields take at
    most the given lengths: a worksheet that changed after the plan was agreed."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in worksheets.FOLDER.glob("*.json"):
            shutil.copy(path, folder)
        latest = worksheets.current(slug)
        data = json.loads((worksheets.FOLDER / f"{slug}.v{latest.version}.json").read_text())
        data["version"] = version
        for name, limit in limits.items():
            data["schema"]["properties"][name]["maxLength"] = limit
        (folder / f"{slug}.v{version}.json").write_text(json.dumps(data))
        worksheets.all_versions.cache_clear()
        try:
            with mock.patch.object(worksheets, "FOLDER", folder):
                yield
        finally:
            worksheets.all_versions.cache_clear()
            worksheets.validator_for.cache_clear()


class SeedTestCase(PracticeTestCase):
    def agreed_plan(self, slug: str, **fields: Any) -> ActionPlan:
        plan = self.draft(slug=slug)
        details = dict(AGREED) if slug == EXPERIMENT else None
        plans.save_plan(
            plan,
            by=self.therapist_a,
            version=plan.version,
            fields=fields,
            goals=[],
            obstacles=[],
            details=details,
        )
        return plans.agree(plan, by=self.therapist_a)

    def opened_form(self, plan: ActionPlan) -> Any:
        response = self.client.get(f"/me/plans/{plan.pk}/log/")
        self.assertEqual(response.status_code, 200)
        return response

    def entry(self, plan: ActionPlan, **fields: Any) -> dict[str, Any]:
        return {
            "uid": str(uuid.uuid4()),
            "plan": plan.pk,
            "sheet": plan.worksheet,
            "outcome": "done",
            **fields,
        }


class NothingTypedTwiceTests(SeedTestCase):
    def test_a_behavioural_experiment_opens_with_the_belief_and_prediction_agreed(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        response = self.opened_form(plan)
        self.assertEqual(response.context["sheet"].version, 2)
        values = response.context["values"]
        self.assertEqual(values["entries.belief"], plan.details["belief"])
        self.assertEqual(values["entries.belief_before"], plan.details["belief_strength"])
        self.assertEqual(values["entries.prediction"], plan.details["prediction"])
        self.assertEqual(values["entries.how_i_would_know"], plan.details["how_they_would_know"])
        self.assertEqual(values["entries.alternative_view"], plan.details["alternative_view"])
        self.assertContains(response, "Filled in from what you agreed in your session.")
        self.assertContains(response, 'value="85"')
        self.assertContains(response, "How I would know if the prediction came true")

    def test_an_exposure_opens_with_the_step_agreed_as_its_situation(self) -> None:
        plan = self.agreed_plan("exposure-step-up-the-ladder", what="Ride the bus two stops")
        values = self.opened_form(plan).context["values"]
        self.assertEqual(values["entries.situation"], plan.what)

    def test_a_noticing_log_asks_for_the_rating_on_the_plans_own_scale(self) -> None:
        plan = self.agreed_plan("notice-the-pattern", rating_scale="how competent I was")
        response = self.opened_form(plan)
        rating = next(p for p in response.context["parts"] if p.name == "rating")
        self.assertEqual(rating.label, "how competent I was (0–100)")
        self.assertContains(response, "how competent I was (0–100)")
        self.assertNotContains(response, "Rating on the plan&#x27;s scale")

    def test_seeds_are_left_behind_when_the_plan_takes_another_worksheet(self) -> None:
        plan = self.agreed_plan("exposure-step-up-the-ladder", what="Ride the bus")
        plan = plans.save_plan(
            plan,
            by=self.therapist_a,
            version=plan.version,
            fields={"worksheet": "free-diary"},
            goals=[],
            obstacles=[],
        )
        self.assertNotIn("entries.situation", self.opened_form(plan).context["values"])

    def test_the_prefilled_page_posts_the_seeded_values_with_what_happened(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        values = self.opened_form(plan).context["values"]
        seeded = {k: v for k, v in values.items() if k.startswith("entries.")}
        response = self.client.post(
            "/me/practice/",
            self.entry(plan, **seeded, **{"entries.belief_after": "30"}),
        )
        self.assertEqual(response.status_code, 302)
        log = PracticeLog.objects.get()
        self.assertEqual((log.entries["belief_before"], log.entries["belief_after"]), (85, 30))
        self.assertEqual(log.entries["belief"], AGREED["belief"])

    def test_a_queued_entry_without_the_seeded_fields_gets_them_on_the_server(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        response = self.sync(self.entry(plan, **{"entries.what_happened": "Sam said fine"}))
        self.assertEqual(response.status_code, 201, response.content)
        entries = PracticeLog.objects.get().entries
        self.assertEqual(entries["belief"], AGREED["belief"])
        self.assertEqual(entries["belief_before"], 85)
        self.assertEqual(entries["how_i_would_know"], AGREED["how_they_would_know"])

    def test_a_seeded_field_the_client_cleared_stays_cleared(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        response = self.sync(self.entry(plan, **{"entries.alternative_view": ""}))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertNotIn("alternative_view", PracticeLog.objects.get().entries)

    def test_a_client_may_adjust_a_seeded_value(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        self.sync(self.entry(plan, **{"entries.belief_before": "60"}))
        self.assertEqual(PracticeLog.objects.get().entries["belief_before"], 60)

    def test_a_quick_note_on_a_seeded_plan_stays_a_quick_note(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        response = self.sync(self.entry(plan, sheet="quick", **{"entries.how_it_went": "70"}))
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(PracticeLog.objects.get().entries, {"how_it_went": 70})


class GermanTests(SeedTestCase):
    def test_the_new_worksheet_fields_and_the_prefilled_note_speak_german(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.sign_in(self.client_a)
        page = self.opened_form(plan)
        self.assertContains(page, "Woran ich merken würde, dass die Vorhersage eintrifft")
        self.assertContains(page, "Eine andere Sichtweise")
        self.assertContains(page, "Ausgefüllt mit dem, was Sie in der Sitzung vereinbart haben.")


class NoLongerFitsTests(SeedTestCase):
    def test_a_seeded_value_too_long_for_the_worksheets_new_version_is_refused_at_save(
        self,
    ) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        version = plan.version
        with (
            worksheet_version("behavioural-experiment", 3, belief=20),
            self.assertRaises(ValidationError) as raised,
        ):
            plans.save_plan(
                plan,
                by=self.therapist_a,
                version=version,
                fields={"title": "Say no to Sam"},
                goals=[],
                obstacles=[],
                details=dict(AGREED),
            )
        message = raised.exception.message_dict["detail_belief"][0]
        self.assertIn("The belief to test, in the client's words", message)
        self.assertIn("no longer fits the worksheet", message)
        self.assertIn("version 3", message)
        plan.refresh_from_db()
        self.assertEqual((plan.version, plan.title), (version, "Test a prediction"))
        self.assertEqual(plan.revisions.count(), 1)  # the agreement's only

    def test_the_editor_names_the_field_that_no_longer_fits(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        self.sign_in(self.therapist_a)
        form = self.client.get(f"/plans/{plan.pk}/edit/").context["form"]
        data = {k: v for k, v in form.initial.items() if v is not None and k != "goals"}
        data = {k: (v.pk if hasattr(v, "pk") else v) for k, v in data.items()}
        data.update({"obstacles-TOTAL_FORMS": "0", "obstacles-INITIAL_FORMS": "0", "save": "1"})
        with worksheet_version("behavioural-experiment", 3, prediction=10):
            response = self.client.post(f"/plans/{plan.pk}/edit/", data)
        self.assertEqual(response.status_code, 200)
        errors = response.context["form"].errors
        self.assertIn("no longer fits the worksheet", errors["detail_prediction"][0])
        plan.refresh_from_db()
        self.assertEqual(plan.revisions.count(), 1)


class WordsAtReviewTests(SeedTestCase):
    def log(self, plan: ActionPlan, **entries: Any) -> PracticeLog:
        sheet = worksheets.current(plan.worksheet)
        saved = actions.log_practice(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            plan=plan,
            outcome="done",
            sheet=sheet,
            entries=entries,
            obstacles_note="I nearly cancelled",
            note="Felt shaky after",
        )
        return saved.entry

    def experiment_logged(
        self,
        learned: str = "A no did not end the friendship",
        what_happened: str = "Sam said it was fine and asked about next week",
    ) -> ActionPlan:
        plan = self.agreed_plan(EXPERIMENT)
        self.log(
            plan,
            belief=AGREED["belief"],
            belief_before=85,
            prediction=AGREED["prediction"],
            what_happened=what_happened,
            belief_after=30,
            learned=learned,
        )
        self.sign_in(self.therapist_a)
        return plan

    def test_the_review_shows_belief_before_and_after_and_the_clients_words(self) -> None:
        plan = self.experiment_logged()
        page = self.client.get(f"/plans/{plan.pk}/review/")
        self.assertContains(page, "Belief before → after: <strong>85 → 30</strong>")
        self.assertContains(
            page,
            '<p class="entry-learned"><strong>What the client learned:</strong> '
            "A no did not end the friendship</p>",
            html=True,
        )
        self.assertContains(page, "Sam said it was fine and asked about next week")
        self.assertContains(page, "I nearly cancelled")
        self.assertContains(page, "Felt shaky after")
        self.assertContains(page, "If I say no, my friends will drop me")  # as agreed, too
        self.assertNotContains(page, "What I learned")

    def test_the_plan_page_shows_the_same_lines(self) -> None:
        plan = self.experiment_logged()
        page = self.client.get(f"/plans/{plan.pk}/")
        self.assertContains(page, "Belief before → after: <strong>85 → 30</strong>")
        self.assertContains(page, "What the client learned:")
        self.assertContains(page, "What we agreed to test")

    def test_long_words_are_whole_at_review_and_folded_on_the_client_page(self) -> None:
        happened = ("Sam listened, then told me about his week. " * 12).strip()
        plan = self.experiment_logged(what_happened=happened)
        review = self.client.get(f"/plans/{plan.pk}/review/").content.decode()
        self.assertIn(happened, review)
        self.assertNotIn('<details class="entry-fold">', review)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        self.assertIn("What the client learned:", page)
        self.assertIn('<details class="entry-fold"><summary>The client\'s words', page)

    def test_a_noticing_logs_rating_is_named_by_the_plans_scale_at_review(self) -> None:
        plan = self.agreed_plan("notice-the-pattern", rating_scale="how competent I was")
        self.log(plan, noticed="Caught myself apologising", rating=70)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/review/")
        self.assertContains(page, "how competent I was (0–100): <strong>70</strong>")
        self.assertContains(page, "What the client noticed")
        self.assertContains(page, "Caught myself apologising")

    def test_a_private_diary_entry_never_reaches_the_client_page(self) -> None:
        actions.log_practice(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            plan=None,
            outcome="",
            sheet=worksheets.current("free-diary"),
            entries={"entry": "Only for me: a secret worry"},
            private=True,
        )
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertNotContains(page, "a secret worry")


class WrittenSummaryTests(SeedTestCase):
    def test_the_clients_plan_page_and_printable_page_say_what_they_are_testing(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        for address in (f"/me/plans/{plan.pk}/", f"/plans/{plan.pk}/summary/"):
            page = self.client.get(address)
            self.assertContains(page, "What I am testing")
            self.assertContains(page, "The belief I am testing")
            self.assertContains(page, str(AGREED["belief"]))
            self.assertContains(page, "How strongly I believed it in the session (0–100)")
            self.assertContains(page, str(AGREED["alternative_view"]))
            self.assertNotContains(page, "in the client&#x27;s words")

    def test_a_german_speaking_client_reads_them_in_german(self) -> None:
        plan = self.agreed_plan(EXPERIMENT)
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        page = self.client.get(f"/me/plans/{plan.pk}/").content.decode()
        self.assertIn("Was ich prüfe", page)
        self.assertIn("Eine andere Sichtweise", page)

    def test_a_plan_without_details_has_no_such_section(self) -> None:
        plan = self.agreed_plan("exposure-step-up-the-ladder", what="Ride the bus two stops")
        self.assertNotContains(self.client.get(f"/me/plans/{plan.pk}/"), "What I am testing")
