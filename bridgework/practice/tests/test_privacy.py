"""The diary is private unless the client shares an entry; they choose on the form, can
share later (and take it back), and each entry says who can see it."""

from __future__ import annotations

import re
import uuid
from typing import Any

from bridgework.audit.models import AccessEvent
from bridgework.practice import actions
from bridgework.practice.access import logs_of_clients
from bridgework.practice.models import PracticeLog
from bridgework.practice.tests.test_logging import PracticeTestCase
from bridgework.test import request_of, user_of

PLAN_IS_SHARED = "Only diary entries can be kept private."


class DiaryPrivacyTests(PracticeTestCase):
    def write(self, **fields: Any) -> PracticeLog:
        form = {"uid": str(uuid.uuid4()), "sheet": "free-diary", "entries.entry": "Hard day"}
        response = self.client.post("/me/practice/", {**form, **fields})
        self.assertEqual(response.status_code, 302)
        return PracticeLog.objects.get(uid=form["uid"])

    def team_sees(self, log: PracticeLog) -> tuple[int, bool]:
        """The entry's status for the therapist, and whether the client page lists it."""
        self.sign_in(self.therapist_a)
        status = self.client.get(f"/practice/{log.pk}/").status_code
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        self.sign_in(self.client_a)
        return status, f"/practice/{log.pk}/" in page

    def test_the_diary_form_asks_who_can_see_it_with_only_me_chosen(self) -> None:
        page = self.client.get("/me/diary/")
        self.assertContains(page, "Who can see this entry?")
        self.assertContains(page, "Your care team cannot open a private entry.")
        self.assertContains(
            page, "notes when an entry is saved, opened or changed, never its words"
        )
        self.assertNotContains(page, "know that it exists")
        self.assertContains(page, '<input type="radio" name="visible_to" value="me" checked>')
        self.assertContains(page, '<input type="radio" name="visible_to" value="care-team">')
        self.assertNotContains(page, 'name="private"')

    def test_a_diary_entry_is_private_unless_the_client_chooses_otherwise(self) -> None:
        log = self.write()  # no choice sent at all, as from a phone with an older page
        self.assertTrue(log.is_private)
        self.assertEqual(self.team_sees(log), (404, False))
        self.assertTrue(self.write(visible_to="me").is_private)
        shared = self.write(visible_to="care-team")
        self.assertEqual(self.team_sees(shared), (200, True))

    def test_the_phones_queue_carries_the_choice(self) -> None:
        form = {"uid": str(uuid.uuid4()), "sheet": "free-diary", "entries.entry": "Sent later"}
        self.assertEqual(self.sync({**form, "visible_to": "care-team"}).status_code, 201)
        self.assertFalse(PracticeLog.objects.get().is_private)
        other = {**form, "uid": str(uuid.uuid4())}
        self.assertEqual(self.sync(other).status_code, 201)
        self.assertTrue(PracticeLog.objects.get(uid=other["uid"]).is_private)
        refused = self.sync({**form, "uid": str(uuid.uuid4()), "visible_to": "everyone"})
        self.assertEqual(refused.json()["errors"], {"visible_to": "Choose who can see this entry."})

    def test_sharing_later_shows_the_entry_to_the_care_team_and_is_audited(self) -> None:
        log = self.write()
        page = self.client.get(f"/practice/{log.pk}/")
        self.assertContains(page, "Only you.")
        self.assertContains(page, "Share with my care team")
        response = self.client.post(f"/practice/{log.pk}/privacy/", {"visible_to": "care-team"})
        self.assertRedirects(response, f"/practice/{log.pk}/", fetch_redirect_response=False)
        self.assertEqual(self.team_sees(log), (200, True))
        changes = AccessEvent.objects.filter(object_type="practice-log", action="change")
        self.assertEqual(
            {(event.object_id, event.actor_id) for event in changes},
            {(str(log.pk), self.client_a.user_id)},
        )

    def test_making_it_private_again_says_the_team_may_have_read_it(self) -> None:
        log = self.write(visible_to="care-team")
        page = self.client.get(f"/practice/{log.pk}/")
        self.assertContains(page, "You and your care team.")
        self.assertContains(page, "Your care team may already have read it")
        self.client.post(f"/practice/{log.pk}/privacy/", {"visible_to": "me"})
        self.assertEqual(self.team_sees(log), (404, False))
        self.assertTrue(
            AccessEvent.objects.filter(
                object_type="practice-log", object_id=str(log.pk), action="change"
            ).exists()
        )

    def test_only_the_client_decides(self) -> None:
        log = self.write(visible_to="care-team")
        self.sign_in(self.therapist_a)
        response = self.client.post(f"/practice/{log.pk}/privacy/", {"visible_to": "me"})
        self.assertEqual(response.status_code, 404)
        log.refresh_from_db()
        self.assertFalse(log.is_private)

    def test_practice_on_a_plan_is_for_the_care_team_and_says_so(self) -> None:
        self.assertContains(
            self.client.get(f"/me/plans/{self.plan.pk}/log/"),
            "Who can see this: you and your care team.",
        )
        self.post()
        log = PracticeLog.objects.get()
        page = self.client.get(f"/practice/{log.pk}/")
        self.assertContains(page, "You and your care team.")
        self.assertNotContains(page, "Make it private again")
        self.client.post(f"/practice/{log.pk}/privacy/", {"visible_to": "me"})
        log.refresh_from_db()
        self.assertFalse(log.is_private)

    def test_every_entry_in_the_history_says_who_can_see_it(self) -> None:
        self.write()
        self.write(visible_to="care-team")
        self.post()
        history = self.client.get("/me/history/")
        self.assertContains(history, '<span class="badge">Only you</span>', count=1)
        self.assertContains(history, '<span class="badge">You and your care team</span>', count=2)

    def test_the_access_trail_does_not_tell_an_admin_which_entries_are_private(self) -> None:
        private, shared = self.write(), self.write(visible_to="care-team")
        self.client.post(f"/practice/{private.pk}/privacy/", {"visible_to": "care-team"})
        self.client.post(f"/practice/{shared.pk}/privacy/", {"visible_to": "me"})
        self.assertEqual(self.trail_of(private), self.trail_of(shared))
        self.assertIn(("client", "change", "practice-log", True), self.trail_of(private))
        self.sign_in(self.admin)
        page = self.client.get(f"/clinic/audit/?client={self.client_a.pk}").content.decode()
        kinds = set(re.findall(r"<td>(practice-log[^ <]*)", page))
        self.assertEqual(kinds, {"practice-log"})

    def trail_of(self, log: PracticeLog) -> list[tuple[str, str, str, bool]]:
        """What the trail says of one entry, in order, without when."""
        events = AccessEvent.objects.filter(
            client_id=self.client_a.pk, object_id=str(log.pk), object_type__startswith="practice"
        )
        return [(e.actor_role, e.action, e.object_type, e.allowed) for e in events.order_by("seq")]

    def test_changing_who_sees_an_entry_takes_the_same_choices_as_writing_it(self) -> None:
        log = self.write(visible_to="care-team")
        for chosen in ({"visible_to": "everyone"}, {"visible_to": ""}, {}):
            with self.subTest(chosen=chosen):
                page = self.client.post(f"/practice/{log.pk}/privacy/", chosen, follow=True)
                self.assertContains(page, "Choose who can see this entry.")
        log.refresh_from_db()
        self.assertFalse(log.is_private)

    def test_practice_on_a_plan_cannot_be_made_private_when_written_or_later(self) -> None:
        refused = self.sync(
            {"uid": str(uuid.uuid4()), "plan": self.plan.pk, "sheet": "quick", "visible_to": "me"}
        )
        self.assertEqual(refused.json()["errors"], {"visible_to": PLAN_IS_SHARED})
        self.post()
        log = PracticeLog.objects.get()
        with self.assertRaises(actions.EntryRefused) as later:
            actions.set_privacy(log, by=user_of(self.client_a), private=True)
        self.assertEqual(later.exception.problems, {"visible_to": PLAN_IS_SHARED})

    def test_the_door_over_many_clients_never_gives_staff_a_private_entry(self) -> None:
        private, shared = self.write(), self.write(visible_to="care-team")
        self.post()
        on_plan = PracticeLog.objects.get(plan=self.plan)
        clients = [self.client_a, self.client_b]
        for reader in (self.therapist_a, self.supervisor):
            with self.subTest(reader=str(reader)):
                found = set(logs_of_clients(request_of(reader), clients))
                self.assertEqual(found, {shared, on_plan})
        # The client reads all of their own, and nobody else's.
        found = set(logs_of_clients(request_of(user_of(self.client_a)), clients))
        self.assertEqual(found, {private, shared, on_plan})

    def test_the_door_over_many_clients_records_a_listing_each_and_refuses_outsiders(
        self,
    ) -> None:
        self.post()
        before = AccessEvent.objects.count()
        found = logs_of_clients(request_of(self.therapist_b), [self.client_a, self.client_b])
        self.assertEqual(list(found), [])  # client B has logged nothing; A is not theirs
        events = AccessEvent.objects.order_by("id")[before:]
        self.assertEqual(
            [(e.object_type, e.client_id, e.allowed) for e in events],
            [("practice-logs", self.client_a.pk, False), ("practice-logs", self.client_b.pk, True)],
        )
