"""Rehearsal in imagery: the guided step of the editor, recorded on the plan (step 5)."""

from __future__ import annotations

import io
import json

from pypdf import PdfReader

from bridgework.accounts import actions as accounts
from bridgework.audit.models import AccessEvent
from bridgework.plans import actions
from bridgework.plans.models import ActionPlan, ImageryRehearsal
from bridgework.plans.tests.helpers import PlanTestCase
from bridgework.plans.tests.test_revisions_and_conflicts import editor_post
from bridgework.test import user_of

# Written into the plan's free text: the rehearsal's audit rows must never hold it.
WORDS = "the-grey-door-of-the-bakery"
ALL_STEPS = ["cue", "first-step", "obstacle", "result"]


class ImageryTestCase(PlanTestCase):
    def plan_with_words(self) -> ActionPlan:
        plan = self.draft()
        return self.edit(
            plan,
            when="Tuesday at 8:10",
            where=f"the bus stop by {WORDS}",
            what="Get on and ride two stops",
            confidence=5,
            obstacles=[
                {
                    "kind": "emotional",
                    "description": "My heart races as the doors close",
                    "coping_plan": "Breathe out slowly and count the stops",
                }
            ],
        )

    def rehearse(
        self,
        plan: ActionPlan,
        steps: list[str] = ALL_STEPS,
        before: int | None = 5,
        after: int | None = 8,
    ) -> ImageryRehearsal:
        plan.refresh_from_db()
        return actions.rehearse_in_imagery(
            plan,
            by=self.therapist_a,
            version=plan.version,
            steps=steps,
            confidence_before=before,
            confidence_after=after,
        )


class ImageryActionTests(ImageryTestCase):
    def test_the_rehearsal_records_its_steps_and_confidence_and_marks_the_plan_rehearsed(
        self,
    ) -> None:
        plan = self.plan_with_words()
        self.rehearse(plan, steps=["result", "cue"])
        plan.refresh_from_db()
        rehearsal = ImageryRehearsal.objects.get(plan=plan)
        self.assertEqual(rehearsal.steps, ["cue", "result"])  # in script order
        self.assertEqual((rehearsal.confidence_before, rehearsal.confidence_after), (5, 8))
        self.assertEqual(rehearsal.rehearsed_by, self.therapist_a)
        self.assertTrue(plan.rehearsed)
        self.assertEqual(
            plan.rehearsal_note,
            "In imagery, step by step: the moment it begins, the result, and how it feels.",
        )
        self.assertEqual(plan.confidence, 8)  # the same question, asked last

    def test_a_note_the_therapist_wrote_is_kept(self) -> None:
        plan = self.edit(self.plan_with_words(), rehearsal_note="Role-played the first minute")
        self.rehearse(plan)
        plan.refresh_from_db()
        self.assertEqual(plan.rehearsal_note, "Role-played the first minute")

    def test_no_confidence_after_leaves_the_plans_confidence_as_it_was(self) -> None:
        plan = self.plan_with_words()
        self.rehearse(plan, after=None)
        plan.refresh_from_db()
        self.assertEqual(plan.confidence, 5)

    def test_its_audit_rows_name_the_fields_and_steps_and_hold_no_words_or_ratings(self) -> None:
        plan = self.plan_with_words()
        start = AccessEvent.objects.latest("id").pk
        rehearsal = self.rehearse(plan)
        rows = AccessEvent.objects.filter(pk__gt=start).order_by("id")
        made, changed = rows.get(object_type="imagery-rehearsal"), rows.get(object_type="plan")
        self.assertEqual((made.action, made.client_id), ("create", self.client_a.pk))
        self.assertEqual(made.changes["values"]["steps"], [None, ALL_STEPS])
        self.assertEqual(made.changes["values"]["plan"], [None, plan.pk])
        self.assertEqual(
            set(made.changes["named"]), {"confidence_before", "confidence_after"}
        )  # ratings are named, never told
        self.assertEqual(changed.changes["detail"], {"imagery": rehearsal.pk})
        self.assertIn("rehearsal_note", changed.changes["named"])
        # The confidence after became the plan's: the plan's row names it and tells neither.
        self.assertIn("confidence", changed.changes["named"])
        self.assertNotIn("confidence", changed.changes["values"])
        for row in (made, changed):
            self.assertNotIn(WORDS, json.dumps(row.changes))
            self.assertNotIn("heart races", json.dumps(row.changes))

    def test_rehearsing_again_replaces_the_record_and_an_agreed_plan_keeps_both_in_revisions(
        self,
    ) -> None:
        plan = self.plan_with_words()
        actions.agree(plan, by=self.therapist_a)
        self.rehearse(plan, steps=["cue"], before=4, after=6)
        self.rehearse(plan, steps=ALL_STEPS, before=6, after=9)
        self.assertEqual(ImageryRehearsal.objects.filter(plan=plan).count(), 1)
        snapshots = [r.snapshot["imagery"] for r in plan.revisions.all()]
        self.assertEqual(
            snapshots,
            [
                None,
                {"steps": ["cue"], "confidence_before": 4, "confidence_after": 6},
                {"steps": ALL_STEPS, "confidence_before": 6, "confidence_after": 9},
            ],
        )
        self.assertEqual(plan.revisions.last().note, "Rehearsed in imagery")  # type: ignore[union-attr]
        self.assertEqual(
            AccessEvent.objects.filter(object_type="imagery-rehearsal", action="change").count(), 1
        )

    def test_a_stale_version_or_unknown_steps_are_refused_and_change_nothing(self) -> None:
        plan = self.plan_with_words()
        with self.assertRaises(actions.StalePlan):
            actions.rehearse_in_imagery(
                plan,
                by=self.therapist_a,
                version=plan.version - 1,
                steps=ALL_STEPS,
                confidence_before=None,
                confidence_after=None,
            )
        for steps in ([], ["cue", "daydream"]):
            with self.subTest(steps=steps), self.assertRaises(ValueError):
                self.rehearse(plan, steps=steps)
        plan.refresh_from_db()
        self.assertFalse(plan.rehearsed)
        self.assertFalse(ImageryRehearsal.objects.exists())


class ImageryPageTests(ImageryTestCase):
    def test_the_editor_saves_first_then_opens_the_script_made_of_the_plans_own_words(
        self,
    ) -> None:
        plan = self.plan_with_words()
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/plans/{plan.pk}/edit/", editor_post(plan, imagery="1", with_whom="Sam")
        )
        self.assertRedirects(response, f"/plans/{plan.pk}/imagery/", fetch_redirect_response=False)
        plan.refresh_from_db()
        self.assertEqual(plan.with_whom, "Sam")
        page = self.client.get(f"/plans/{plan.pk}/imagery/")
        self.assertContains(page, "Picture the time and the place: Tuesday at 8:10, the bus stop")
        self.assertContains(page, "See yourself begin: Get on and ride two stops.")
        self.assertContains(page, "Now something gets in the way: My heart races as the doors")
        self.assertContains(page, "Then you use your plan: Breathe out slowly and count the stops.")
        self.assertContains(page, 'value="5"')  # confidence before: the plan's, to confirm

    def test_recording_the_rehearsal_returns_to_the_editor_and_the_plan_page_shows_it(
        self,
    ) -> None:
        plan = self.plan_with_words()
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/plans/{plan.pk}/imagery/",
            {
                "version": plan.version,
                "confidence_before": "5",
                "steps": ["cue", "first-step", "obstacle"],
                "confidence_after": "7",
            },
        )
        self.assertRedirects(
            response, f"/plans/{plan.pk}/edit/#rehearsal", fetch_redirect_response=False
        )
        editor = self.client.get(f"/plans/{plan.pk}/edit/")
        self.assertContains(editor, "Rehearsed in imagery:")
        self.assertContains(editor, "Save, and rehearse in imagery again")
        actions.agree(plan, by=self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/")
        self.assertContains(page, "Rehearsed in imagery")
        self.assertContains(
            page,
            "The moment it begins, The first small step, An obstacle, and the coping plan.",
        )
        self.assertContains(page, "Confidence 5 → 7/10")

    def test_a_rehearsal_with_no_step_ticked_is_refused_with_a_message(self) -> None:
        plan = self.plan_with_words()
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/plans/{plan.pk}/imagery/",
            {"version": plan.version, "confidence_before": "5", "confidence_after": "12"},
        )
        self.assertContains(response, "Tick the steps you went through together")
        self.assertContains(response, "Enter a number from 0 to 10")
        self.assertFalse(ImageryRehearsal.objects.exists())

    def test_the_script_is_read_in_the_clients_language(self) -> None:
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        plan = self.plan_with_words()
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/imagery/")
        self.assertContains(page, '<div class="imagery-script" lang="de">')
        self.assertContains(page, "Stellen Sie sich die Zeit und den Ort vor: Tuesday at 8:10")
        self.assertContains(page, "Record the rehearsal")  # the therapist's own controls

    def test_shared_screen_mode_lets_the_therapist_read_the_script(self) -> None:
        plan = self.plan_with_words()
        self.sign_in(self.therapist_a)
        self.client.post(f"/plans/{plan.pk}/shared-screen/")
        page = self.client.get(f"/plans/{plan.pk}/imagery/")
        self.assertContains(page, "Rehearse it in imagery")
        self.assertContains(page, "Exit shared screen")
        self.assertNotContains(page, self.client_a.full_name)

    def test_the_written_summary_recalls_the_rehearsal_in_the_clients_language(self) -> None:
        plan = self.plan_with_words()
        self.rehearse(plan, steps=["cue", "obstacle"])
        actions.agree(plan, by=self.therapist_a)
        self.sign_in(self.client_a)
        page = self.client.get(f"/me/plans/{plan.pk}/")
        self.assertContains(page, "Picture it first")
        self.assertContains(page, "see yourself use your plan for it")
        self.assertNotContains(page, "See yourself take the first small step.")  # not rehearsed
        self.assertNotContains(page, "Confidence")
        pdf = self.client.get(f"/plans/{plan.pk}/summary.pdf")
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
        self.assertIn("Picture it first", " ".join(text.split()))
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        german = self.client.get(f"/me/plans/{plan.pk}/")
        self.assertContains(german, "Erst im Kopf durchgehen")

    def test_a_reviewed_plan_can_no_longer_be_rehearsed(self) -> None:
        plan = self.agreed()
        actions.review(
            plan, by=self.therapist_a, session=None, answers={"done": 3, "decision": "stop"}
        )
        self.sign_in(self.therapist_a)
        response = self.client.get(f"/plans/{plan.pk}/imagery/")
        self.assertRedirects(response, f"/plans/{plan.pk}/", fetch_redirect_response=False)
