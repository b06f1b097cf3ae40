from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import Any
from unittest import mock

from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgework.audit.models import AccessEvent
from bridgework.interop import actions
from bridgework.interop.models import AccessToken
from bridgework.interop.tests.helpers import call, token_for
from bridgework.test import BaseTestCase


class TokenLifeCycleTests(BaseTestCase):
    def make_on_the_page(self, **fields: object) -> Any:
        data = {
            "name": "Record system",
            "access": "read",
            "areas": ["clients", "plans"],
            "expires_on": (timezone.localdate() + timedelta(days=30)).isoformat(),
            **fields,
        }
        return self.client.post("/tokens/", data)

    def test_the_secret_is_shown_once_and_only_its_hash_is_stored(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.make_on_the_page()
        secret = page.context["secret"]
        self.assertTrue(secret.startswith("bw_pat_"))
        self.assertContains(page, secret)
        self.assertEqual(page["Cache-Control"], "no-store")
        token = AccessToken.objects.get()
        self.assertEqual(token.secret_hash, hashlib.sha256(secret.encode()).hexdigest())
        self.assertNotIn(secret, str(dict(self.client.session)))
        self.assertNotContains(self.client.get("/tokens/"), secret)
        self.assertEqual(call(self.client, "get", "/api/v1/clients", secret).status_code, 200)

    def test_the_pages_say_the_token_works_until_the_day_chosen_not_the_day_after(self) -> None:
        self.sign_in(self.therapist_a)
        last_day = (timezone.localdate() + timedelta(days=30)).isoformat()
        made = self.make_on_the_page(expires_on=last_day)
        self.assertContains(made, f"It works until {last_day}.")
        listed = self.client.get("/tokens/")
        self.assertContains(listed, f"<td>{last_day}</td>", html=True)

    def test_a_choice_of_one_is_a_group_named_by_its_legend_not_an_orphan_label(self) -> None:
        # A radio group has no single input a <label for> could name (it rendered for="").
        self.sign_in(self.therapist_a)
        page = self.client.get("/tokens/")
        self.assertContains(page, "<legend>Access</legend>", html=True)
        self.assertNotContains(page, 'for=""')

    def test_the_new_secret_is_in_a_whole_width_field_under_its_label(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.make_on_the_page().content.decode()
        field = page.split('<div class="field">', 1)[1].split("</div>", 1)[0]
        self.assertIn('<label for="secret">Token</label>', field)
        self.assertIn('id="secret" class="token-secret"', field)

    def test_making_a_token_writes_an_audit_row_by_its_owner(self) -> None:
        self.sign_in(self.therapist_a)
        self.make_on_the_page()
        event = AccessEvent.objects.get(object_type="access-token", action="create")
        self.assertEqual(event.actor_id, self.therapist_a.pk)
        self.assertEqual(event.changes["values"]["areas"], [None, ["clients", "plans"]])

    def test_it_refuses_an_expiry_beyond_366_days_saying_the_last_day(self) -> None:
        self.sign_in(self.therapist_a)
        too_late = timezone.localdate() + timedelta(days=367)
        page = self.make_on_the_page(expires_on=too_late.isoformat())
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "at most 366 days", status_code=400)
        self.assertFalse(AccessToken.objects.exists())

    def test_it_refuses_a_token_without_an_area(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.make_on_the_page(areas=[])
        self.assertEqual(page.status_code, 400)
        self.assertFalse(AccessToken.objects.exists())

    def test_a_revoked_token_is_refused_with_401(self) -> None:
        token, secret = token_for(self.therapist_a)
        self.sign_in(self.therapist_a)
        self.assertRedirects(self.client.post(f"/tokens/{token.pk}/revoke/"), "/tokens/")
        response = call(self.client, "get", f"/api/v1/clients/{self.client_a.pk}", secret)
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="bridgework"')
        event = AccessEvent.objects.exclude(changes={}).get(
            object_type="access-token", action="change"
        )
        self.assertEqual(event.actor_id, self.therapist_a.pk)

    def test_an_expired_token_is_refused_like_a_wrong_one(self) -> None:
        _token, secret = token_for(self.therapist_a, days=1)
        later = timezone.now() + timedelta(days=3)
        with mock.patch("django.utils.timezone.now", return_value=later):
            expired = call(self.client, "get", f"/api/v1/clients/{self.client_a.pk}", secret)
        wrong = call(self.client, "get", f"/api/v1/clients/{self.client_a.pk}", "bw_pat_x")
        self.assertEqual(expired.status_code, 401)
        self.assertEqual(expired.json(), wrong.json())

    def test_a_clinic_admin_sees_every_token_of_the_clinic_and_revokes_any(self) -> None:
        mine, _secret = token_for(self.therapist_a)
        token_for(self.other_therapist)
        self.sign_in(self.admin)
        page = self.client.get("/tokens/clinic/")
        self.assertEqual([t.pk for t in page.context["tokens"]], [mine.pk])
        self.assertContains(page, "Therapist A")
        self.assertNotContains(page, mine.secret_hash)
        self.assertRedirects(self.client.post(f"/tokens/{mine.pk}/revoke/"), "/tokens/clinic/")
        mine.refresh_from_db()
        self.assertEqual(mine.revoked_by, self.admin)

    def test_nobody_else_revokes_a_token(self) -> None:
        mine, secret = token_for(self.therapist_a)
        for person in (self.therapist_b, self.other_admin, self.client_a.user):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                self.assertEqual(self.client.post(f"/tokens/{mine.pk}/revoke/").status_code, 404)
        self.assertEqual(call(self.client, "get", "/api/v1/clients", secret).status_code, 200)

    def test_staff_must_enrol_a_second_factor_first_where_the_clinic_asks(self) -> None:
        self.clinic.staff_mfa_required = True
        self.clinic.save()
        with self.assertRaises(actions.TokenRefused) as refused:
            token_for(self.therapist_a)
        self.assertIn("authenticator", refused.exception.problems["__all__"])
        self.assertFalse(AccessToken.objects.exists())

    def test_staff_with_an_authenticator_confirm_it_in_this_session_first(self) -> None:
        TOTPDevice.objects.create(user=self.therapist_a, name="phone", confirmed=True)
        self.sign_in(self.therapist_a)  # signed in, the authenticator not yet confirmed
        page = self.make_on_the_page()
        self.assertTrue(page["Location"].startswith("/accounts/second-factor/"))
        with self.assertRaises(actions.TokenRefused) as refused:
            token_for(self.therapist_a)  # the action holds the rule too, whoever calls it
        self.assertIn("Confirm your authenticator code", refused.exception.problems["__all__"])
        self.assertFalse(AccessToken.objects.exists())

    def test_a_deactivated_accounts_tokens_stop_working(self) -> None:
        _token, secret = token_for(self.therapist_a)
        self.therapist_a.is_active = False
        self.therapist_a.save(update_fields=["is_active"])
        self.assertEqual(call(self.client, "get", "/api/v1/clients", secret).status_code, 401)
