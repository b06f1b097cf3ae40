from __future__ import annotations

import io

from pypdf import PdfReader

from bridgework.care import actions as care
from bridgework.plans import actions
from bridgework.plans.models import ActionPlan, PlanTemplate, Status
from bridgework.plans.tests.helpers import PlanTestCase
from bridgework.plans.tests.test_revisions_and_conflicts import editor_post
from bridgework.test import PASSWORD


class EditorTests(PlanTestCase):
    def test_the_picker_searches_and_filters_templates(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/plans/new/", {"q": "breathing"})
        self.assertContains(page, "Slow breathing practice")
        self.assertNotContains(page, "Test a prediction")
        page = self.client.get(
            f"/clients/{self.client_a.pk}/plans/new/",
            {"kind": "behavioural-experiment"},
            HTTP_HX_REQUEST="true",
        )
        self.assertContains(page, "Test a prediction")
        self.assertNotContains(page, "<html")

    def test_using_a_template_opens_a_prefilled_draft(self) -> None:
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/clients/{self.client_a.pk}/plans/new/",
            {"template": "slow-breathing", "approach": "humanistic"},
        )
        plan = ActionPlan.objects.get()
        self.assertRedirects(response, f"/plans/{plan.pk}/edit/", fetch_redirect_response=False)
        editor = self.client.get(f"/plans/{plan.pk}/edit/")
        self.assertContains(editor, "Your breath is always with you.")

    def test_out_of_range_ratings_are_refused_field_by_field_and_change_nothing(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/plans/{plan.pk}/edit/", editor_post(plan, importance=11, confidence=-1, title="")
        )
        self.assertContains(response, "Enter a number from 0 to 10", count=4)
        self.assertContains(response, "Give the plan a short title, in the client&#x27;s words.")
        plan.refresh_from_db()
        self.assertEqual((plan.importance, plan.version), (None, 1))

    def test_saving_and_agreeing_in_one_step(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        response = self.client.post(
            f"/plans/{plan.pk}/edit/", editor_post(plan, confidence=4, importance=9, agree="1")
        )
        self.assertRedirects(response, f"/plans/{plan.pk}/", fetch_redirect_response=False)
        plan.refresh_from_db()
        self.assertEqual((plan.status, plan.confidence), (Status.AGREED, 4))

    def test_agreeing_a_role_plays_plan_does_not_say_a_client_sees_it(self) -> None:
        training = care.add_client(
            clinic=self.clinic,
            full_name="Role-play: About a three · attempt 1",
            care_team=[self.therapist_a],
            by=self.therapist_a,
            is_training=True,
        )
        template = PlanTemplate.objects.get(slug="one-small-thing-a-day", clinic=None)
        plan = actions.start_plan(training, by=self.therapist_a, template=template)
        self.sign_in(self.therapist_a)
        response = self.client.post(f"/plans/{plan.pk}/agree/", follow=True)
        self.assertContains(response, "Plan agreed (a role-play: no one receives it).")
        self.assertNotContains(response, "The client can see it now.")

    def test_low_confidence_brings_a_gentle_suggestion_that_never_blocks(self) -> None:
        plan = self.draft()
        self.edit(plan, confidence=5)
        actions.agree(plan, by=self.therapist_a)
        self.sign_in(self.therapist_a)
        self.assertContains(
            self.client.get(f"/plans/{plan.pk}/"), "Could the task be made smaller or easier"
        )

    def test_obstacles_are_added_and_removed_in_the_editor(self) -> None:
        plan = self.draft()
        self.edit(plan, obstacles=self.template().obstacles)
        plan.refresh_from_db()
        count = plan.obstacles.count()
        self.sign_in(self.therapist_a)
        data = editor_post(plan, **{"obstacles-0-DELETE": "on"})
        data.update(
            {
                "obstacles-TOTAL_FORMS": count + 1,
                f"obstacles-{count}-kind": "emotional",
                f"obstacles-{count}-description": "Feeling silly",
                f"obstacles-{count}-coping_plan": "Remember why I'm doing it",
            }
        )
        self.client.post(f"/plans/{plan.pk}/edit/", data)
        descriptions = list(plan.obstacles.values_list("description", flat=True))
        self.assertEqual(len(descriptions), count)
        self.assertEqual(descriptions[-1], "Feeling silly")

    def test_a_therapist_adds_a_clinic_template(self) -> None:
        self.sign_in(self.therapist_a)
        self.client.post(
            "/plans/templates/new/",
            {
                "title": "Gratitude walk",
                "kind": "self-compassion",
                "summary": "Walk and notice.",
                "rationale": "Noticing good things widens attention.",
                "instructions": "Walk 10 min.",
                "obstacle_lines": "Rain | Walk under the arcade",
                "worksheet": "noticing-log",
                "cue": "After lunch",
                "how_long": "10 min",
                "how_often": "Daily",
            },
        )
        template = PlanTemplate.objects.get(clinic=self.clinic)
        self.assertEqual(template.obstacles[0]["coping_plan"], "Walk under the arcade")
        self.assertContains(self.client.get("/plans/templates/"), "Gratitude walk")
        self.sign_in(self.other_therapist)
        self.assertNotContains(self.client.get("/plans/templates/"), "Gratitude walk")


class SharedScreenTests(PlanTestCase):
    def test_shared_screen_shows_only_this_plan_until_the_therapist_leaves_it(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        self.client.post(f"/plans/{plan.pk}/shared-screen/")
        editor = self.client.get(f"/plans/{plan.pk}/edit/")
        self.assertContains(editor, "Exit shared screen")
        self.assertNotContains(editor, "Caseload")
        self.assertNotContains(editor, "Northside Therapy")
        for elsewhere in ("/clients/", f"/clients/{self.client_a.pk}/", "/plans/templates/"):
            self.assertRedirects(
                self.client.get(elsewhere), f"/plans/{plan.pk}/edit/", fetch_redirect_response=False
            )
        wrong = self.client.post("/shared-screen/exit/", {"password": "a guess"})
        self.assertContains(wrong, "That is not your password", status_code=400)
        self.assertRedirects(
            self.client.get("/clients/"), f"/plans/{plan.pk}/edit/", fetch_redirect_response=False
        )
        self.client.post("/shared-screen/exit/", {"password": PASSWORD})
        self.assertEqual(self.client.get("/clients/").status_code, 200)

    def test_wrong_passwords_from_an_earlier_exit_do_not_count_again(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        for _visit in range(2):
            self.client.post(f"/plans/{plan.pk}/shared-screen/")
            for guess in range(4):
                self.client.post("/shared-screen/exit/", {"password": f"slip {guess}"})
            left = self.client.post("/shared-screen/exit/", {"password": PASSWORD})
            self.assertRedirects(left, f"/plans/{plan.pk}/", fetch_redirect_response=False)

    def test_guessing_the_password_to_leave_shared_screen_ends_the_session(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        self.client.post(f"/plans/{plan.pk}/shared-screen/")
        for guess in range(4):
            self.client.post("/shared-screen/exit/", {"password": f"guess {guess}"})
        self.assertRedirects(  # still in shared-screen mode
            self.client.get("/clients/"), f"/plans/{plan.pk}/edit/", fetch_redirect_response=False
        )
        last = self.client.post("/shared-screen/exit/", {"password": "guess 4"})
        self.assertRedirects(last, "/accounts/sign-in/", fetch_redirect_response=False)
        self.assertRedirects(
            self.client.get("/clients/"),
            "/accounts/sign-in/?next=/clients/",
            fetch_redirect_response=False,
        )
        # The sign-in throttle was not involved: the therapist, and the clinic, sign in again.
        self.assertEqual(
            self.client.post(
                "/accounts/sign-in/", {"email": self.therapist_a.email, "password": PASSWORD}
            ).status_code,
            302,
        )


class WrittenSummaryTests(PlanTestCase):
    def agreed_with_words(self) -> ActionPlan:
        plan = self.draft()
        self.edit(
            plan,
            rationale="Staying on the bus lets the fear come down — “by itself”.",
            confidence=3,
            importance=9,
        )
        return actions.agree(plan, by=self.therapist_a)

    def test_the_client_sees_the_plan_in_the_clinics_word_and_it_counts_as_seen(self) -> None:
        self.clinic.action_plan_word = "practice task"
        self.clinic.save()
        plan = self.agreed_with_words()
        self.sign_in(self.client_a)
        home = self.client.get("/me/")
        self.assertContains(home, plan.title)
        page = self.client.get(f"/me/plans/{plan.pk}/")
        self.assertContains(page, "Practice task")
        self.assertContains(page, "Staying on the bus")
        plan.refresh_from_db()
        self.assertIsNotNone(plan.first_seen_by_client_at)

    def test_the_pdf_holds_the_rationale_and_coping_plans_and_nothing_internal(self) -> None:
        plan = self.agreed_with_words()
        self.sign_in(self.client_a)
        response = self.client.get(f"/plans/{plan.pk}/summary.pdf")
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertNotIn(plan.title, response["Content-Disposition"])
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
        text = " ".join(text.split())
        self.assertIn("Staying on the bus lets the fear come down — “by itself”.", text)
        for obstacle in plan.obstacles.all():
            self.assertIn(" ".join(obstacle.coping_plan.split()), text)
        for internal in (
            "Confidence",
            "confidence",
            "Importance",
            self.therapist_a.full_name,
            "draft",
            "revision",
        ):
            self.assertNotIn(internal, text)

    def test_the_printable_page_holds_the_same_content(self) -> None:
        plan = self.agreed_with_words()
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/summary/")
        self.assertContains(page, "Staying on the bus")
        for obstacle in plan.obstacles.all():
            self.assertContains(page, obstacle.coping_plan.replace("'", "&#x27;"))
        self.assertNotContains(page, "Confidence")
