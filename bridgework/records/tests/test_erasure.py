"""Erasure, walked over every model that links to a client (records.erasure.client_links)."""

from __future__ import annotations

from datetime import timedelta

from django.apps import apps
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.audit.trail import verify
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.prompts import subscriptions
from bridgework.prompts.models import PushSubscription
from bridgework.prompts.tests.test_channels import browser_keys
from bridgework.records import actions, erasure
from bridgework.records.models import ErasureRequest
from bridgework.research.models import Export
from bridgework.test import user_of
from bridgework.tests.test_permissions import MatrixObjects

PAST = timedelta(days=366 * 12)


class ErasureTests(MatrixObjects):
    """Client A with everything the permission matrix gives them: plans, practice, check-ins,
    reminders and prompts, questionnaires and flags, sessions with a supervisor's rating,
    consents, a research export that holds them; a calendar feed and a phone besides."""

    def setUp(self) -> None:
        super().setUp()
        self.hold.delete()  # the matrix's hold: these tests place their own
        subscriptions.new_calendar_feed(self.client_a, by=self.therapist_a)
        PushSubscription.objects.create(
            client=self.client_a, endpoint="https://fcm.googleapis.com/fcm/send/x", **browser_keys()
        )
        Client.objects.filter(pk=self.client_a.pk).update(created_at=timezone.now() - PAST)
        self.client_a.refresh_from_db()
        ended = actions.today_for(self.client_a) - timedelta(days=366 * 11)
        care.finish_therapy(self.client_a, on=ended, by=self.therapist_a)
        self.request = actions.record_erasure_request(
            self.client_a, received_from="client", by=self.admin
        )

    def rows_left(self, client_id: int, user_id: int) -> dict[str, int]:
        left = {
            f"{field.model.__name__}.{field.name}": erasure.rows_of(field, client_id).count()
            for field in erasure.client_links()
        }
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if field.is_relation and field.related_model is User:
                    found = model._default_manager.filter(**{field.name: user_id}).count()
                    left[f"{model.__name__}.{field.name}"] = found
        return {name: count for name, count in left.items() if count}

    def test_the_preview_counts_every_kind_the_client_has(self) -> None:
        counts = erasure.preview(self.client_a)
        for kind in ("action plans", "practice logs", "therapy sessions", "goals", "consents"):
            self.assertIn(kind, counts)
        self.assertEqual(counts["push subscriptions"], 1)
        self.assertEqual(counts["sign-in account"], 1)

    def test_erasure_leaves_no_row_of_any_model_pointing_at_the_client_or_their_account(
        self,
    ) -> None:
        client_id, user_id = self.client_a.pk, user_of(self.client_a).pk
        self.assertGreater(len(self.rows_left(client_id, user_id)), 5)
        counts = erasure.erase(self.request, by=self.admin, trigger="request")
        self.assertEqual(self.rows_left(client_id, user_id), {})
        self.assertFalse(Client.objects.filter(pk=client_id).exists())
        self.assertFalse(User.objects.filter(pk=user_id).exists())
        self.request.refresh_from_db()
        self.assertEqual(self.request.state, ErasureRequest.State.DONE)
        self.assertEqual(self.request.counts["rows"], counts)

    def test_the_audit_trail_verifies_after_an_erasure(self) -> None:
        erasure.erase(self.request, by=self.admin, trigger="request")
        self.assertEqual(list(verify()), [])

    def test_a_research_export_holding_the_client_expires(self) -> None:
        self.assertEqual(self.export.state, Export.State.READY)
        erasure.erase(self.request, by=self.admin, trigger="request")
        self.export.refresh_from_db()
        self.assertEqual(self.export.state, Export.State.EXPIRED)

    def test_a_held_client_is_kept_and_the_refusal_names_the_hold(self) -> None:
        ends = timezone.localdate() + timedelta(days=90)
        actions.place_hold(self.client_a, reason="Insurer's claim", ends_on=ends, by=self.admin)
        self.sign_in(self.admin)
        page = self.client.post(f"/records/erasure-requests/{self.request.pk}/erase/", follow=True)
        self.assertContains(page, "Insurer&#x27;s claim")
        self.assertTrue(Client.objects.filter(pk=self.client_a.pk).exists())
        self.assertEqual(erasure.preview(self.client_a)["push subscriptions"], 1)

    def test_the_admin_erases_from_the_page_and_the_report_names_no_one(self) -> None:
        self.sign_in(self.admin)
        name = self.client_a.full_name
        response = self.client.post(f"/records/erasure-requests/{self.request.pk}/erase/")
        self.assertRedirects(response, "/records/erasures/", fetch_redirect_response=False)
        report = self.client.get("/records/erasures/")
        self.assertContains(report, "practice logs")
        self.assertContains(report, "erasure request")
        self.assertNotContains(report, name)
