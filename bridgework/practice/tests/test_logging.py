from __future__ import annotations

import json
import uuid
from typing import Any

from django.contrib.auth import get_user

from bridgework.accounts.models import User
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan
from bridgework.plans.tests.helpers import PlanTestCase
from bridgework.practice import actions, worksheets
from bridgework.practice.models import CheckIn, CheckInScale, PracticeLog
from bridgework.practice.outbox import owner_of
from bridgework.test import user_of


class PracticeTestCase(PlanTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.plan = self.exposure_plan()
        self.sign_in(self.client_a)

    def exposure_plan(self) -> ActionPlan:
        plan = self.draft()  # the ladder template asks for the exposure log
        return plans.agree(plan, by=self.therapist_a)

    def post(self, **fields: Any) -> Any:
        form = {
            "uid": str(uuid.uuid4()),
            "plan": self.plan.pk,
            "sheet": "quick",
            "outcome": "done",
            **fields,
        }
        return self.client.post("/me/practice/", form)

    def sync(self, form: dict[str, Any], kind: str = "practice") -> Any:
        """Send an entry as the phone's outbox does, stamped as the signed-in person's."""
        return self.client.post(
            "/me/sync/",
            json.dumps({"kind": kind, "owner": self.owner(), "form": form}),
            content_type="application/json",
        )

    def owner(self) -> str:
        """The outbox owner the pages show the person signed in (practice.outbox); none for
        a visitor."""
        user = get_user(self.client)
        return owner_of(user) if isinstance(user, User) else ""


class QuickLogTests(PracticeTestCase):
    def test_i_did_it_with_one_rating_is_one_post_from_today(self) -> None:
        today = self.client.get("/me/")
        self.assertContains(today, "I did it")
        self.assertContains(today, 'name="entries.how_it_went"')
        response = self.post(**{"entries.how_it_went": "70"})
        self.assertRedirects(response, "/me/", fetch_redirect_response=False)
        log = PracticeLog.objects.get()
        self.assertEqual(
            (log.outcome, log.entries, log.plan), ("done", {"how_it_went": 70}, self.plan)
        )

    def test_not_doing_it_is_met_kindly(self) -> None:
        response = self.post(outcome="not-done", follow=True)
        self.assertContains(self.client.get("/me/"), "Not doing it is useful to know")
        self.assertEqual(response.status_code, 302)

    def test_the_same_entry_sent_twice_is_kept_once(self) -> None:
        uid = str(uuid.uuid4())
        self.post(uid=uid, **{"entries.how_it_went": "70"})
        self.post(uid=uid, **{"entries.how_it_went": "70"})
        self.assertEqual(PracticeLog.objects.count(), 1)
        self.assertContains(self.client.get("/me/"), "Already saved — nothing was lost.")


class BadInputTests(PracticeTestCase):
    def test_a_rating_over_100_is_refused_and_the_draft_stays_on_screen(self) -> None:
        response = self.post(
            sheet="exposure-log",
            **{
                "entries.situation": "Bus to work",
                "entries.distress_before": "140",
                "note": "My words",
            },
        )
        self.assertContains(response, "enter a whole number from 0 to 100", status_code=400)
        self.assertContains(response, ">Bus to work</textarea>", status_code=400)
        self.assertContains(response, "My words", status_code=400)
        self.assertFalse(PracticeLog.objects.exists())

    def test_a_missing_required_field_is_named(self) -> None:
        response = self.post(sheet="exposure-log", **{"entries.distress_before": "40"})
        self.assertContains(response, "Please fill in “The situation I faced”.", status_code=400)

    def test_a_log_for_someone_elses_plan_is_refused(self) -> None:
        theirs = plans.agree(
            plans.start_plan(self.client_b, by=self.therapist_b, template=self.template()),
            by=self.therapist_b,
        )
        response = self.post(plan=theirs.pk)
        self.assertContains(response, "That plan is not one of yours.", status_code=400)
        self.assertFalse(PracticeLog.objects.exists())

    def test_a_log_for_a_stopped_plan_is_refused(self) -> None:
        plans.review(
            self.plan, by=self.therapist_a, session=None, answers={"done": 2, "decision": "stop"}
        )
        response = self.post()
        self.assertContains(response, "This plan has ended", status_code=400)

    def test_an_oversized_note_is_refused_with_the_limit(self) -> None:
        response = self.post(note="x" * 2500)
        self.assertContains(
            response, "keep it under 2000 characters (it has 2500)", status_code=400
        )

    def test_a_worksheet_that_does_not_fit_the_plan_is_refused(self) -> None:
        response = self.post(sheet="thought-record")
        self.assertContains(response, "This form does not fit this plan", status_code=400)

    def test_a_time_in_the_future_is_refused(self) -> None:
        response = self.post(practiced_at="2099-01-01T10:00")
        self.assertContains(response, "That time is in the future", status_code=400)


class SyncTests(PracticeTestCase):
    def form(self, **fields: Any) -> dict[str, Any]:
        return {
            "uid": str(uuid.uuid4()),
            "plan": str(self.plan.pk),
            "sheet": "quick",
            "outcome": "done",
            **fields,
        }

    def test_a_queued_entry_is_saved_once_however_often_it_is_sent(self) -> None:
        form = self.form(**{"entries.how_it_went": "55"})
        first, second = self.sync(form), self.sync(form)
        self.assertEqual((first.status_code, first.json()["status"]), (201, "saved"))
        self.assertEqual((second.status_code, second.json()["status"]), (200, "already-saved"))
        self.assertEqual(PracticeLog.objects.count(), 1)

    def test_refusals_come_back_by_field(self) -> None:
        response = self.sync(self.form(sheet="exposure-log", **{"entries.distress_before": "-3"}))
        self.assertEqual(response.status_code, 400)
        problems = response.json()["errors"]
        self.assertIn("entries.situation", problems)
        self.assertIn("from 0 to 100", problems["entries.distress_before"])

    def test_a_uid_used_by_another_client_is_not_revealed(self) -> None:
        uid = str(uuid.uuid4())
        self.sync(self.form(uid=uid))
        self.sign_in(self.client_b)
        response = self.sync({"uid": uid, "sheet": "free-diary", "entries.entry": "mine"})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(PracticeLog.objects.get().client, self.client_a)

    def test_check_ins_sync_too(self) -> None:
        scale = actions.add_scale(
            self.client_a, by=self.therapist_a, name="Mood", low_anchor="low", high_anchor="high"
        )
        form = {"uid": str(uuid.uuid4()), scale.field_name: "35"}
        self.assertEqual(self.sync(form, kind="check-in").status_code, 201)
        self.assertEqual(self.sync(form, kind="check-in").status_code, 200)
        self.assertEqual(CheckIn.objects.get().ratings.get().value, 35)

    def test_staff_cannot_post_entries(self) -> None:
        self.sign_in(self.therapist_a)
        self.assertEqual(self.sync(self.form()).status_code, 404)


class WorksheetAndDiaryTests(PracticeTestCase):
    def test_the_plans_worksheet_is_offered_and_saved_with_its_version(self) -> None:
        page = self.client.get(f"/me/plans/{self.plan.pk}/log/")
        self.assertContains(page, "Distress at its highest (0–100)")
        self.post(
            sheet="exposure-log",
            **{
                "entries.situation": "Bus",
                "entries.distress_before": "70",
                "entries.distress_peak": "85",
                "entries.distress_after": "30",
                "entries.series.0.minute": "0",
                "entries.series.0.distress": "70",
            },
        )
        log = PracticeLog.objects.get()
        self.assertEqual((log.worksheet, log.worksheet_version), ("exposure-log", 2))
        self.assertEqual(log.entries["series"], [{"minute": 0, "distress": 70}])

    def test_a_list_offers_every_row_the_worksheet_allows_and_keeps_them_all(self) -> None:
        page = self.client.get(f"/me/plans/{self.plan.pk}/log/").content.decode()
        self.assertIn('data-rows-shown="6"', page)  # six show at first…
        self.assertIn('name="entries.series.11.distress"', page)  # …of the twelve allowed
        self.assertNotIn('name="entries.series.12.distress"', page)
        series = {f"entries.series.{n}.minute": str(5 * n) for n in range(12)}
        series |= {f"entries.series.{n}.distress": str(80 - 5 * n) for n in range(12)}
        situation = {"entries.situation": "Bus", "entries.distress_before": "80"}
        self.post(sheet="exposure-log", **situation, **series)
        self.assertEqual(len(PracticeLog.objects.get().entries["series"]), 12)

    def test_a_private_diary_entry_is_only_for_diaries(self) -> None:
        response = self.post(sheet="quick", visible_to="me")
        self.assertContains(response, "Only diary entries can be kept private.", status_code=400)
        self.client.post(
            "/me/practice/",
            {
                "uid": str(uuid.uuid4()),
                "sheet": "free-diary",
                "entries.entry": "Just for me",
                "visible_to": "me",
            },
        )
        self.assertTrue(PracticeLog.objects.get().is_private)

    def test_the_therapist_sees_shared_logs_newest_first_with_ratings(self) -> None:
        client_a = user_of(self.client_a)
        for value in (40, 80):
            actions.log_practice(
                self.client_a,
                by=client_a,
                uid=uuid.uuid4(),
                plan=self.plan,
                outcome="done",
                sheet=worksheets.current("quick"),
                entries={"how_it_went": value},
            )
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        newest, older = page.index("<strong>80</strong>"), page.index("<strong>40</strong>")
        self.assertLess(newest, older)
        review = self.client.get(f"/plans/{self.plan.pk}/review/")
        self.assertContains(review, "<strong>80</strong>")


class CheckInTests(PracticeTestCase):
    def test_a_client_checks_in_on_the_scales_their_therapist_chose(self) -> None:
        self.sign_in(self.therapist_a)
        self.client.post(
            f"/clients/{self.client_a.pk}/scales/",
            {"name": "Urge to check", "low_anchor": "none", "high_anchor": "huge"},
        )
        self.sign_in(self.client_a)
        page = self.client.get("/me/check-in/")
        self.assertContains(page, "Urge to check")
        scale = CheckInScale.objects.get(client=self.client_a)
        self.client.post("/me/check-in/", {"uid": str(uuid.uuid4()), scale.field_name: "64"})
        self.assertEqual(CheckIn.objects.get().ratings.get().value, 64)

    def test_a_rating_outside_0_to_100_is_refused_and_kept_on_screen(self) -> None:
        scale = actions.add_scale(
            self.client_a, by=self.therapist_a, name="Mood", low_anchor="low", high_anchor="high"
        )
        response = self.client.post(
            "/me/check-in/", {"uid": str(uuid.uuid4()), scale.field_name: "101"}
        )
        self.assertContains(
            response, "“Mood”: enter a whole number from 0 to 100.", status_code=400
        )
        self.assertContains(response, 'value="101"', status_code=400)
        self.assertFalse(CheckIn.objects.exists())

    def test_progress_shows_pictures_with_their_numbers(self) -> None:
        scale = actions.add_scale(
            self.client_a, by=self.therapist_a, name="Mood", low_anchor="low", high_anchor="high"
        )
        actions.check_in(
            self.client_a, by=user_of(self.client_a), uid=uuid.uuid4(), ratings={scale.pk: 35}
        )
        page = self.client.get("/me/progress/")
        # The first picture comes inside the page (desk/tests/test_phone_weight.py); its own
        # address still answers, for the pictures that load when scrolled to.
        self.assertContains(page, 'src="data:image/svg+xml,')
        self.assertContains(page, "Your check-ins")
        self.assertContains(page, "<td>35</td>", html=True)
        svg = self.client.get("/me/progress/check-ins.svg")
        self.assertEqual(svg["Content-Type"], "image/svg+xml")
        self.assertIn(b"<svg", svg.content)
        self.assertNotIn(b"<script", svg.content)


class TypingSlipTests(PracticeTestCase):
    """Characters that look like digits but are not (²) are refused with a message, not an
    error page."""

    def test_a_superscript_in_minutes_or_a_rating_is_refused_by_field(self) -> None:
        response = self.sync(
            {
                "uid": str(uuid.uuid4()),
                "plan": self.plan.pk,
                "sheet": "quick",
                "outcome": "done",
                "duration_minutes": "2²",
            }
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("duration_minutes", response.json()["errors"])
        scale = actions.add_scale(
            self.client_a, by=self.therapist_a, name="Calm", low_anchor="not", high_anchor="very"
        )
        response = self.sync({"uid": str(uuid.uuid4()), f"scale-{scale.pk}": "²"}, kind="check-in")
        self.assertEqual(response.status_code, 400)
        self.assertFalse(CheckIn.objects.exists())

    def test_a_nested_beyond_reason_body_is_refused(self) -> None:
        response = self.client.post(
            "/me/sync/", "[" * 100_000 + "]" * 100_000, content_type="application/json"
        )
        self.assertEqual(response.status_code, 400)


class NeutralTitleTests(PracticeTestCase):
    """A page's title stays in the browser's history and tab switcher on a phone that may be
    shared: it never names the plan or the questionnaire."""

    def test_the_clients_pages_have_neutral_titles(self) -> None:
        self.post(
            sheet="exposure-log", **{"entries.situation": "Bus", "entries.distress_before": "80"}
        )
        log = PracticeLog.objects.get()
        for url in (
            f"/me/plans/{self.plan.pk}/",
            f"/me/plans/{self.plan.pk}/log/",
            f"/practice/{log.pk}/",
            f"/plans/{self.plan.pk}/summary/",
            "/me/measures/phq-9/",
        ):
            page = self.client.get(url).content.decode()
            title = page[page.index("<title>") : page.index("</title>")]
            for private in (self.plan.title, "Exposure", "PHQ", "Patient Health"):
                self.assertNotIn(private, title, url)
