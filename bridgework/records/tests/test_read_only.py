"""Held records are read-only: every kind of change to a client's data is refused while a
legal hold is in force, or while an erasure request waits for the retention period, and goes
ahead again once the hold is released (docs/erasure.md)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta

from django.utils import timezone
from django.utils.formats import date_format

from bridgework.accounts import actions as accounts
from bridgework.audit.models import AccessEvent
from bridgework.audit.readonly import KeptReadOnly
from bridgework.care import actions as care
from bridgework.care.models import Client, Goal
from bridgework.interop.tests.helpers import call, token_for
from bridgework.measures import actions as measures
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan
from bridgework.plans.tests.helpers import PlanTestCase
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.practice.models import PracticeLog
from bridgework.practice.outbox import owner_of
from bridgework.prompts import schedules
from bridgework.records import actions as records
from bridgework.records.models import LegalHold
from bridgework.test import user_of

REASON = "Court case 4 O 12/26"


class HeldRecordsTestCase(PlanTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.goal = care.add_goal(self.client_a, text="Sleep better", by=self.therapist_a)
        self.plan = plans.agree(self.draft(), by=self.therapist_a)
        self.spare = self.draft()
        self.scale = practice.add_scale(
            self.client_a, by=self.therapist_a, name="Mood", low_anchor="low", high_anchor="high"
        )
        self.flag = measures.raise_flag(self.client_a, "risk", "Item 9 answered above 0")

    def place_hold(self) -> LegalHold:
        return records.place_hold(
            self.client_a,
            reason=REASON,
            ends_on=timezone.localdate() + timedelta(days=400),
            by=self.admin,
        )

    def changes(self) -> dict[str, Callable[[], object]]:
        """One of each kind of change the care team or the client makes to client A's data."""
        client_a, therapist = user_of(self.client_a), self.therapist_a
        gad7 = measures.current("gad-7", None)
        assert gad7 is not None
        return {
            "plan created": lambda: plans.start_plan(self.client_a, by=therapist),
            "plan edited": lambda: self.edit(self.spare, title="Walk every day"),
            "plan agreed": lambda: plans.agree(self.spare, by=therapist),
            "plan proposed by the client": lambda: plans.propose(
                self.client_a, by=client_a, title="Swim", what="Swim on Sunday"
            ),
            "practice logged": lambda: practice.log_practice(
                self.client_a,
                by=client_a,
                uid=uuid.uuid4(),
                plan=self.plan,
                outcome="done",
                sheet=worksheets.current("quick"),
                entries={"how_it_went": 70},
            ),
            "check-in": lambda: practice.check_in(
                self.client_a, by=client_a, uid=uuid.uuid4(), ratings={self.scale.pk: 40}
            ),
            "check-in scale added": lambda: practice.add_scale(
                self.client_a, by=therapist, name="Sleep", low_anchor="bad", high_anchor="good"
            ),
            "questionnaire answered": lambda: measures.respond(
                self.client_a, gad7, {str(n): 1 for n in range(1, 8)}, by=client_a
            ),
            "session booked": lambda: care.add_session(
                self.client_a,
                therapist=therapist,
                starts_at=timezone.now() + timedelta(days=14),
                by=therapist,
            ),
            "session notes": lambda: care.update_session(
                self.last_session,
                starts_at=self.last_session.starts_at,
                takeaway="Approach, don't avoid.",
                by=therapist,
            ),
            "goal added": lambda: care.add_goal(self.client_a, text="Walk", by=therapist),
            "goal achieved": lambda: care.mark_goal_achieved(self.goal, True, by=therapist),
            "prompt schedule": lambda: schedules.set_schedule(
                self.client_a,
                by=therapist,
                purpose="practice",
                plan=self.plan,
                rule={"kind": "fixed", "times": ["19:00"]},
                channels=[],
            ),
            "flag acknowledged with a note": lambda: measures.acknowledge(
                self.flag, by=therapist, note="Called her"
            ),
            "end of therapy": lambda: care.finish_therapy(
                self.client_a, on=records.today_for(self.client_a), by=therapist
            ),
        }


class ReadOnlyUnderAHoldTests(HeldRecordsTestCase):
    def test_every_kind_of_change_is_refused_under_a_hold_and_allowed_after_release(
        self,
    ) -> None:
        hold = self.place_hold()
        events = AccessEvent.objects.count()
        for kind, change in self.changes().items():
            with self.subTest(kind=kind), self.assertRaises(KeptReadOnly) as refused:
                change()
            if kind in (
                "plan proposed by the client",
                "practice logged",
                "check-in",
                "questionnaire answered",
            ):
                self.assertNotIn(REASON, refused.exception.message)  # the client's words
                self.assertIn("kept just as they are", refused.exception.message)
            else:
                self.assertIn("Kept read-only: legal hold until", refused.exception.message)
                self.assertIn(REASON, refused.exception.message)
        # Nothing was changed, nor audited.
        self.assertEqual(AccessEvent.objects.count(), events)
        self.assertEqual(ActionPlan.objects.filter(client=self.client_a).count(), 2)
        self.assertEqual(Goal.objects.filter(client=self.client_a).count(), 1)
        self.assertFalse(PracticeLog.objects.exists())
        self.spare.refresh_from_db()
        self.assertEqual(self.spare.status, "draft")

        records.release_hold(hold, by=self.admin)
        for kind, change in self.changes().items():
            with self.subTest(kind=kind, released=True):
                change()
        self.assertTrue(PracticeLog.objects.filter(client=self.client_a).exists())

    def test_a_hold_that_ended_keeps_nothing_read_only(self) -> None:
        hold = self.place_hold()
        LegalHold.objects.filter(pk=hold.pk).update(ends_on=timezone.localdate() - timedelta(2))
        care.add_goal(self.client_a, text="Walk", by=self.therapist_a)
        self.assertEqual(self.client_a.goals.count(), 2)

    def test_reads_and_the_systems_own_steps_go_on(self) -> None:
        self.place_hold()
        self.sign_in(self.therapist_a)
        self.assertEqual(self.client.get(f"/clients/{self.client_a.pk}/").status_code, 200)
        measures.raise_flag(self.client_a, "risk", "Item 9 answered above 0")  # by=None

    def test_the_client_may_still_withdraw_a_consent(self) -> None:
        care.set_consent(self.client_a, "research", True, by=user_of(self.client_a))
        self.place_hold()
        care.set_consent(self.client_a, "research", False, by=user_of(self.client_a))
        self.assertFalse(self.client_a.consents.filter(withdrawn_at=None).exists())

    def test_the_client_may_still_reset_their_password(self) -> None:
        # A hold may last years: the way in is not the record (a lost phone's passkey goes
        # with the reset, records/readonly.py).
        self.place_hold()
        person = user_of(self.client_a)
        reset, _token = accounts.issue_password_reset(person, by=None)
        accounts.choose_new_password(reset, password="a-new-and-long-passphrase-42")
        person.refresh_from_db()
        self.assertTrue(person.check_password("a-new-and-long-passphrase-42"))

    def test_the_client_still_opens_their_plan_and_a_reminder_under_a_hold(self) -> None:
        # Opening records "seen" / "opened": under a hold that is skipped, not refused.
        self.place_hold()
        self.sign_in(self.client_a)
        page = self.client.get(f"/me/plans/{self.plan.pk}/")
        self.assertEqual(page.status_code, 200)
        self.plan.refresh_from_db()
        self.assertIsNone(self.plan.first_seen_by_client_at)

    def test_the_record_may_still_be_handed_to_another_therapist(self) -> None:
        self.place_hold()
        care.set_care_team(self.client_a, [self.therapist_b], by=self.admin)
        self.assertEqual(list(self.client_a.care_team.all()), [self.therapist_b])

    def test_other_clients_are_not_held(self) -> None:
        self.place_hold()
        care.add_goal(self.client_b, text="Walk", by=self.therapist_b)
        self.assertEqual(self.client_b.goals.count(), 1)


class HeldPagesTests(HeldRecordsTestCase):
    def test_the_client_page_says_why_it_is_read_only(self) -> None:
        self.place_hold()
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertContains(page, "Kept read-only: legal hold until")
        self.assertContains(page, REASON)

    def test_a_form_posted_anyway_gets_the_refusal_not_a_server_error(self) -> None:
        self.place_hold()
        self.sign_in(self.therapist_a)
        page = self.client.post(f"/clients/{self.client_a.pk}/goals/", {"text": "Walk"})
        self.assertContains(page, "Kept read-only: legal hold until", status_code=409)
        self.assertContains(page, REASON, status_code=409)
        self.assertEqual(self.client_a.goals.count(), 1)

    def test_the_clients_today_says_so_kindly_without_the_reason(self) -> None:
        self.place_hold()
        self.sign_in(self.client_a)
        today = self.client.get("/me/")
        self.assertContains(today, "kept just as they are")
        self.assertNotContains(today, REASON)

    def test_the_phones_sync_shows_the_refusal_and_does_not_retry(self) -> None:
        self.place_hold()
        self.sign_in(self.client_a)
        form = {"uid": str(uuid.uuid4()), "plan": str(self.plan.pk), "sheet": "quick"}
        response = self.client.post(
            "/me/sync/",
            json.dumps(
                {
                    "kind": "practice",
                    "owner": owner_of(user_of(self.client_a)),
                    "form": form | {"outcome": "done", "entries.how_it_went": "70"},
                }
            ),
            content_type="application/json",
        )
        # 423: a 4xx the outbox shows beside the entry and never sends again (not 409, 401,
        # 408 or 429, which it keeps for later: static/js/client-app.js).
        self.assertEqual(response.status_code, 423)
        self.assertIn("kept just as they are", response.json()["errors"]["__all__"])
        self.assertFalse(PracticeLog.objects.exists())

    def test_the_api_answers_409_with_the_message(self) -> None:
        self.place_hold()
        _token, secret = token_for(self.therapist_a)
        response = call(self.client, "post", f"/api/v1/plans/{self.spare.pk}/agree", secret, {})
        self.assertEqual(response.status_code, 409, response.content)
        self.assertIn(REASON, response.json()["title"])
        self.spare.refresh_from_db()
        self.assertEqual(self.spare.status, "draft")


class WaitingErasureTests(HeldRecordsTestCase):
    def test_a_request_waiting_for_the_retention_keeps_the_records_read_only(self) -> None:
        Client.objects.filter(pk=self.client_a.pk).update(
            created_at=timezone.now() - timedelta(days=800)
        )
        self.client_a.refresh_from_db()
        care.finish_therapy(
            self.client_a,
            on=records.today_for(self.client_a) - timedelta(days=365),
            by=self.therapist_a,
        )
        records.record_erasure_request(self.client_a, received_from="client", by=self.admin)
        ends = records.retention_ends(self.client_a)
        assert ends is not None
        with self.assertRaises(KeptReadOnly) as refused:
            care.add_goal(self.client_a, text="Walk", by=self.therapist_a)
        self.assertEqual(
            refused.exception.message,
            "Kept read-only: an erasure request waits until the retention period ends on "
            f"{date_format(ends)}.",
        )

    def test_a_request_waiting_while_therapy_goes_on_keeps_nothing_read_only(self) -> None:
        records.record_erasure_request(self.client_a, received_from="client", by=self.admin)
        care.finish_therapy(
            self.client_a, on=records.today_for(self.client_a), by=self.therapist_a
        )  # the care team must still be able to end therapy
        self.client_a.refresh_from_db()
        self.assertIsNotNone(self.client_a.discharged_at)

    def test_erasure_under_a_hold_is_refused_naming_the_hold(self) -> None:
        self.place_hold()
        request = records.record_erasure_request(
            self.client_a, received_from="client", by=self.admin
        )
        self.sign_in(self.admin)
        page = self.client.post(f"/records/erasure-requests/{request.pk}/erase/", follow=True)
        self.assertContains(page, REASON)
        self.assertTrue(Client.objects.filter(pk=self.client_a.pk).exists())
