"""Audit rows say what an action changed: structured values old and new, free text by name."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from bridgework.accounts import actions as accounts
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.care.models import Consent
from bridgework.measures import actions as measures
from bridgework.measures.models import Flag
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan
from bridgework.plans.tests.helpers import ANSWERS_DONE, PlanTestCase
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.prompts import schedules
from bridgework.test import user_of

# Written into every free-text field these tests fill: it must never reach an audit row.
WORDS = "Marta-told-me-about-the-bridge"


def iso(moment: datetime | None) -> str:
    assert moment is not None
    return moment.isoformat()


def last_row(object_type: str, **match: Any) -> AccessEvent:
    return AccessEvent.objects.filter(object_type=object_type, **match).latest("id")


class AuditChangesTestCase(PlanTestCase):
    def assert_no_words(self, event: AccessEvent) -> None:
        self.assertNotIn(WORDS, json.dumps(event.changes))

    def log(self, plan: ActionPlan, **fields: Any) -> practice.Saved:
        return practice.log_practice(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            plan=plan,
            outcome="done",
            sheet=worksheets.current("quick"),
            entries={"how_it_went": 70},
            **fields,
        )


class PlanChangesTests(AuditChangesTestCase):
    def test_saving_a_plan_keeps_numbers_old_and_new_and_names_the_text_and_ratings(
        self,
    ) -> None:
        plan = self.draft()
        self.edit(plan, title=WORDS, importance=9, rationale=WORDS + " because")
        row = last_row("plan", action="change")
        self.assertEqual(row.changes["values"]["version"], [1, 2])
        # How important it is to the client is their rating: named, never told.
        self.assertNotIn("importance", row.changes["values"])
        self.assertEqual(set(row.changes["named"]), {"title", "rationale", "importance"})
        self.assertEqual(row.changes["detail"]["goals"], [])
        self.assert_no_words(row)

    def test_agreeing_records_the_status_and_when(self) -> None:
        plan = self.agreed()
        row = last_row("plan", action="change")
        self.assertEqual(row.changes["values"]["status"], ["draft", "agreed"])
        self.assertEqual(row.changes["values"]["agreed_at"], [None, iso(plan.agreed_at)])
        self.assertNotIn("named", row.changes)

    def test_a_review_records_its_decision_and_what_it_did_to_the_plan(self) -> None:
        plan = self.agreed()
        outcome = plans.review(
            plan, by=self.therapist_a, session=self.next_session, answers=ANSWERS_DONE
        )
        row = last_row("plan", object_id=str(plan.pk))
        self.assertEqual(
            row.changes["detail"],
            {"review": outcome.review.pk, "done": 4, "decision": "continue"},
        )
        self.assertEqual(row.changes["values"]["status"], ["agreed", "active"])
        self.assertEqual(row.actor_id, self.therapist_a.pk)

    def test_a_plan_made_from_a_template_records_the_values_it_was_given(self) -> None:
        plan = self.draft()
        row = last_row("plan", action="create")
        values = row.changes["values"]
        self.assertEqual(values["status"], [None, "draft"])
        self.assertEqual(values["client"], [None, self.client_a.pk])
        self.assertEqual(values["set_in_session"], [None, plan.set_in_session_id])
        self.assertTrue(all(old is None for old, _new in values.values()))
        self.assertIn("instructions", row.changes["named"])


class PracticeChangesTests(AuditChangesTestCase):
    def test_a_practice_log_records_its_values_and_names_its_words(self) -> None:
        plan = self.agreed()
        saved = self.log(plan, note=WORDS, duration_minutes=20)
        row = last_row("practice-log")
        self.assertEqual(
            (row.action, row.object_id, row.client_id, row.actor_id),
            ("create", str(saved.entry.pk), self.client_a.pk, user_of(self.client_a).pk),
        )
        values = row.changes["values"]
        self.assertEqual(values["outcome"], [None, "done"])
        self.assertEqual(values["plan"], [None, plan.pk])
        self.assertEqual(values["duration_minutes"], [None, 20])
        self.assertEqual(values["worksheet"], [None, "quick"])
        self.assertEqual(values["uid"], [None, str(saved.entry.uid)])
        # Not the empty obstacles note; privacy by name only, whichever way it is.
        self.assertEqual(row.changes["named"], ["entries", "note", "is_private"])
        self.assert_no_words(row)

    def test_the_trail_never_tells_which_diary_entries_are_private(self) -> None:
        rows = []
        for private in (True, False):
            saved = practice.log_practice(
                self.client_a,
                by=user_of(self.client_a),
                uid=uuid.uuid4(),
                plan=None,
                outcome="",
                sheet=worksheets.current(worksheets.PRIVATE_ALLOWED),
                entries={"entry": WORDS},
                private=private,
            )
            rows.append(last_row("practice-log", action="create"))
            practice.set_privacy(saved.entry, by=user_of(self.client_a), private=not private)
            rows.append(last_row("practice-log", action="change"))
        made_private, made_shared = rows[0], rows[2]
        self.assertEqual(made_private.changes["named"], made_shared.changes["named"])
        self.assertNotIn("is_private", made_private.changes["values"])
        self.assertEqual(rows[1].changes, rows[3].changes)
        self.assertEqual(rows[1].changes, {"named": ["is_private"]})
        for row in rows:
            self.assert_no_words(row)

    def test_the_audit_helper_asks_the_database_nothing_but_the_audit_rows(self) -> None:
        saved = self.log(self.agreed())
        with CaptureQueriesContext(connection) as queries:
            trail.changed(user_of(self.client_a), "create", saved.entry)
        # One look whether the client's record is kept read-only (audit/readonly.py), then
        # claim the chain's head, insert the row, move the head: nothing to read the log.
        self.assertEqual(len(queries), 4, [q["sql"] for q in queries])
        self.assertIn("records_legalhold", queries[0]["sql"])

    def test_a_snapshot_reads_no_deferred_field(self) -> None:
        plan = ActionPlan.objects.only("status", "client").get(pk=self.agreed().pk)
        with CaptureQueriesContext(connection) as queries:
            was = trail.snapshot(plan)
        self.assertEqual(len(queries), 0)
        self.assertEqual(set(was), {"status", "client_id"})


class FlagAndMeasureChangesTests(AuditChangesTestCase):
    def test_acknowledging_a_flag_records_who_and_when_and_names_the_note(self) -> None:
        flag = measures.raise_flag(self.client_a, Flag.Kind.RISK, WORDS)
        raised = last_row("flag", action="create")
        self.assertEqual(raised.changes["values"]["kind"], [None, "risk"])
        self.assertEqual(raised.changes["named"], ["text"])
        measures.acknowledge(flag, by=self.therapist_a, note=WORDS)
        row = last_row("flag", action="change")
        self.assertEqual(row.changes["values"]["acknowledged_by"], [None, self.therapist_a.pk])
        self.assertEqual(
            row.changes["values"]["acknowledged_at"], [None, iso(flag.acknowledged_at)]
        )
        self.assertEqual(row.changes["named"], ["note"])
        self.assert_no_words(raised)
        self.assert_no_words(row)


class PeopleChangesTests(AuditChangesTestCase):
    def test_a_role_change_records_each_role_old_and_new(self) -> None:
        accounts.set_roles(self.therapist_b, ["therapist", "researcher"], by=self.admin)
        row = last_row("staff", action="change")
        self.assertEqual(row.changes, {"values": {"is_researcher": [False, True]}})
        self.assertEqual((row.actor_id, row.clinic_id), (self.admin.pk, self.clinic.pk))

    def test_an_address_change_names_the_field_and_keeps_neither_address(self) -> None:
        old = self.therapist_b.email
        accounts.change_email(self.therapist_b, "moved@example.org", by=self.admin)
        row = last_row("staff-email")
        self.assertEqual(row.changes, {"named": ["email"]})
        self.assertNotIn(old, json.dumps(row.changes))
        self.assertNotIn("moved@example.org", json.dumps(row.changes))

    def test_a_new_password_is_named_and_its_hash_is_not_kept(self) -> None:
        reset, _token = accounts.issue_password_reset(self.therapist_b, by=self.admin)
        issued = last_row("password-reset")
        self.assertIn("token_hash", issued.changes["named"])
        self.assertNotIn(reset.token_hash, json.dumps(issued.changes))
        accounts.choose_new_password(reset, password="another-long-password-77")
        row = last_row("password")
        self.assertEqual(row.changes, {"named": ["password"]})

    def test_a_care_team_change_says_who_was_added_and_removed(self) -> None:
        care.set_care_team(self.client_a, [self.therapist_b], by=self.admin)
        row = last_row("care-team")
        self.assertEqual(
            row.changes,
            {"detail": {"added": [self.therapist_b.pk], "removed": [self.therapist_a.pk]}},
        )
        self.assertEqual(row.client_id, self.client_a.pk)


class ConsentChangesTests(AuditChangesTestCase):
    def test_giving_and_withdrawing_consent_record_the_purpose_and_the_times(self) -> None:
        client_user = user_of(self.client_a)
        purpose = Consent.Purpose.REMINDERS_EMAIL
        care.set_consent(self.client_a, purpose, True, by=client_user)
        given = last_row("consent")
        self.assertEqual(
            (given.action, given.object_id), ("change", f"{self.client_a.pk}:{purpose}")
        )
        self.assertEqual(given.changes["values"]["purpose"], [None, purpose])
        self.assertEqual(given.changes["values"]["given_by"], [None, client_user.pk])
        care.set_consent(self.client_a, purpose, False, by=client_user)
        withdrawn = last_row("consent")
        consent = Consent.objects.get(client=self.client_a, purpose=purpose)
        self.assertEqual(
            withdrawn.changes["values"],
            {
                "withdrawn_at": [None, iso(consent.withdrawn_at)],
                "withdrawn_by": [None, client_user.pk],
            },
        )


class ScheduleAndSessionChangesTests(AuditChangesTestCase):
    def test_a_changed_schedule_compares_the_new_version_with_the_old(self) -> None:
        plan = self.agreed()
        rule = {"kind": "fixed", "times": ["07:00"]}
        old = schedules.set_schedule(
            self.client_a,
            by=self.therapist_a,
            purpose="practice",
            plan=plan,
            rule=rule,
            channels=[],
        )
        new = schedules.set_schedule(
            self.client_a,
            by=self.therapist_a,
            purpose="practice",
            plan=plan,
            rule={**rule, "times": ["08:30"]},
            channels=[],
            replaces=old,
        )
        row = last_row("schedule", action="change")
        self.assertEqual(row.object_id, str(new.pk))
        values = row.changes["values"]
        self.assertEqual(values["version"], [1, 2])
        self.assertEqual(
            (values["rule"][0]["times"], values["rule"][1]["times"]), (["07:00"], ["08:30"])
        )
        self.assertEqual(row.changes["detail"], {"replaces": old.pk})

    def test_a_moved_session_records_both_times_and_names_the_takeaway(self) -> None:
        session = self.next_session
        was = session.starts_at
        later = was + timedelta(days=1)
        care.update_session(session, starts_at=later, takeaway=WORDS, by=self.therapist_a)
        row = last_row("session", action="change")
        self.assertEqual(
            row.changes,
            {"values": {"starts_at": [was.isoformat(), later.isoformat()]}, "named": ["takeaway"]},
        )
        self.assert_no_words(row)

    def test_a_goal_created_then_removed_has_the_create_and_delete_shapes(self) -> None:
        goal = care.add_goal(self.client_a, text=WORDS, by=self.therapist_a)
        created = last_row("goal", action="create")
        self.assertEqual(
            created.changes["values"],
            {
                "client": [None, self.client_a.pk],
                "created_at": [None, goal.created_at.isoformat()],
                "created_by": [None, self.therapist_a.pk],
            },
        )
        self.assertEqual(created.changes["named"], ["text"])
        removed = trail.changed(self.therapist_a, "delete", goal)
        self.assertEqual(
            removed.changes["values"],
            {
                "client": [self.client_a.pk, None],
                "created_at": [goal.created_at.isoformat(), None],
                "created_by": [self.therapist_a.pk, None],
            },
        )
        self.assertEqual(removed.changes["named"], ["text"])
        self.assert_no_words(created)


class EveryActionSaysWhatChangedTests(AuditChangesTestCase):
    def test_no_action_row_is_silent_and_none_holds_free_text(self) -> None:
        start = AccessEvent.objects.latest("id").pk
        plan = self.draft()
        self.edit(plan, title=WORDS, what=WORDS)
        plans.agree(plan, by=self.therapist_a)
        self.log(plan, note=WORDS, obstacles_note=WORDS)
        goal = care.add_goal(self.client_a, text=WORDS, by=self.therapist_a)
        care.mark_goal_achieved(goal, True, by=self.therapist_a)
        flag = measures.raise_flag(self.client_a, Flag.Kind.RISK, WORDS)
        measures.acknowledge(flag, by=self.therapist_a, note=WORDS)
        care.add_client(clinic=self.clinic, full_name=WORDS, care_team=[], by=self.admin)
        practice.add_scale(
            self.client_a, by=self.therapist_a, name=WORDS, low_anchor=WORDS, high_anchor=WORDS
        )
        plans.decline_proposal(
            plans.propose(self.client_a, by=user_of(self.client_a), title=WORDS, what=WORDS),
            by=self.therapist_a,
            reason=WORDS,
        )
        accounts.update_clinic_settings(self.clinic, by=self.admin, crisis_resources=WORDS)
        rows = AccessEvent.objects.filter(pk__gt=start, action__in=["create", "change"])
        self.assertGreaterEqual(rows.count(), 12)
        for row in rows:
            with self.subTest(row=str(row)):
                self.assertTrue(row.changes, "an action's row says what it changed")
                self.assert_no_words(row)
        self.assertEqual(
            AccessEvent.objects.filter(pk__gt=start, action="change", object_type="clinic")
            .get()
            .changes,
            {"named": ["crisis_resources"]},
        )
