"""Passkeys on the server: the ceremonies (answered by a software authenticator), the clinic's
"passkey only" rule at sign-in, naming, removal, the admin's reset, and the trail of each."""

from __future__ import annotations

import json
from typing import Any

from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from bridgework.accounts import actions
from bridgework.accounts.models import Clinic, User
from bridgework.audit.models import AccessEvent
from bridgework.test import PASSWORD, BaseTestCase, user_of
from bridgework.tests.authenticator import Authenticator
from bridgework.tests.test_second_factor import code_for

ORIGIN = "http://localhost:8000"


@override_settings(OTP_WEBAUTHN_RP_ID="localhost", OTP_WEBAUTHN_ALLOWED_ORIGINS=[ORIGIN])
class PasskeyTests(BaseTestCase):
    def post_json(self, url: str, data: dict[str, Any] | None = None):
        return self.client.post(url, json.dumps(data or {}), content_type="application/json")

    def register(self, authenticator: Authenticator):
        options = self.post_json("/accounts/passkeys/registration/begin/")
        self.assertEqual(options.status_code, 200, options.content)
        answer = authenticator.register(options.json())
        return self.post_json("/accounts/passkeys/registration/complete/", answer)

    def sign_in_with(self, authenticator: Authenticator, next_page: str = ""):
        options = self.post_json("/accounts/passkeys/authentication/begin/")
        self.assertEqual(options.status_code, 200, options.content)
        url = "/accounts/passkeys/authentication/complete/" + (
            f"?next={next_page}" if next_page else ""
        )
        return self.post_json(url, authenticator.sign_in(options.json()))

    def passkey_for(self, user: User, name: str = "Phone") -> WebAuthnCredential:
        return WebAuthnCredential.objects.create(
            user=user, name=name, confirmed=True, credential_id=name.encode(), public_key=b"k"
        )

    def require_passkeys(self) -> None:
        self.clinic.staff_mfa_required = True
        self.clinic.staff_second_factor = Clinic.SecondFactor.PASSKEY
        self.clinic.save()

    def test_a_client_registers_a_discoverable_passkey_which_is_named_and_audited(self) -> None:
        self.sign_in(self.client_a)
        options = self.post_json("/accounts/passkeys/registration/begin/").json()
        self.assertEqual(options["authenticatorSelection"]["residentKey"], "required")
        self.assertEqual(options["rp"]["id"], "localhost")
        done = self.post_json(
            "/accounts/passkeys/registration/complete/", Authenticator().register(options)
        )
        passkey = WebAuthnCredential.objects.get(user=user_of(self.client_a))
        self.assertEqual(
            done.json(),
            {"id": passkey.pk, "redirect_url": f"/accounts/passkeys/{passkey.pk}/name/"},
        )
        self.assertEqual(passkey.name, "Passkey 1")
        event = AccessEvent.objects.get(object_type="passkey")
        self.assertEqual(
            (event.actor_id, event.action, event.object_id, event.client_id),
            (user_of(self.client_a).pk, "create", str(passkey.pk), self.client_a.pk),
        )

    def test_a_client_signs_in_with_their_passkey_alone(self) -> None:
        phone = Authenticator()
        self.sign_in(self.client_a)
        self.register(phone)
        self.client.logout()
        answer = self.sign_in_with(phone, next_page="/me/progress/")
        self.assertEqual(answer.status_code, 200, answer.content)
        self.assertEqual(answer.json()["redirect_url"], "/me/progress/")
        self.assertEqual(self.client.get("/me/").status_code, 200)
        signed_in = AccessEvent.objects.filter(action="sign-in", actor_id=user_of(self.client_a).pk)
        self.assertEqual(signed_in.count(), 1)
        self.assertIsNotNone(WebAuthnCredential.objects.get().last_used_at)

    def test_a_passkey_sign_in_goes_nowhere_off_the_site(self) -> None:
        phone = Authenticator()
        self.sign_in(self.client_a)
        self.register(phone)
        self.client.logout()
        answer = self.sign_in_with(phone, next_page="https://evil.example/")
        self.assertEqual(answer.json()["redirect_url"], "/")

    def test_a_passkey_from_another_origin_is_refused(self) -> None:
        self.sign_in(self.client_a)
        refused = self.register(Authenticator(origin="https://bridgework.evil.example"))
        self.assertEqual(refused.status_code, 422)
        self.assertFalse(WebAuthnCredential.objects.exists())

    def test_staff_never_sign_in_with_a_passkey_alone(self) -> None:
        laptop = Authenticator()
        self.sign_in(self.therapist_a)
        self.register(laptop)
        self.client.logout()
        refused = self.sign_in_with(laptop)
        self.assertEqual(refused.status_code, 403)
        self.assertIn(
            "Staff sign in with their e-mail and password first", refused.json()["detail"]
        )
        self.assertEqual(self.client.get("/clients/").status_code, 302)

    def test_staff_confirm_their_password_with_a_passkey(self) -> None:
        laptop = Authenticator()
        self.sign_in(self.therapist_a)
        self.register(laptop)
        self.client.logout()
        self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": PASSWORD}
        )
        self.assertEqual(self.client.get("/clients/").status_code, 302)
        page = self.client.get("/accounts/second-factor/")
        self.assertContains(page, "Confirm with a passkey")
        self.assertIsNone(page.context["form"])  # no authenticator app to ask a code of
        self.assertEqual(self.sign_in_with(laptop).status_code, 200)
        self.assertEqual(self.client.get("/clients/").status_code, 200)

    def test_with_passkeys_required_staff_confirm_their_app_then_register_a_passkey(self) -> None:
        self.require_passkeys()
        app = TOTPDevice.objects.create(user=self.therapist_a, name="app", confirmed=True)
        self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": PASSWORD}
        )
        # Registering before the app's code is refused (the library's own check).
        self.assertEqual(self.post_json("/accounts/passkeys/registration/begin/").status_code, 403)
        confirmed = self.client.post(
            "/accounts/second-factor/?next=/clients/", {"code": code_for(app)}
        )
        self.assertRedirects(
            confirmed, "/accounts/second-factor/?next=/clients/", target_status_code=302
        )
        self.assertEqual(self.client.get("/clients/").status_code, 302)  # the app is not enough
        self.assertRedirects(
            self.client.get("/accounts/second-factor/?next=/clients/"),
            "/accounts/second-factor/passkey/?next=%2Fclients%2F",
        )
        self.assertEqual(self.register(Authenticator()).status_code, 200)
        self.assertEqual(self.client.get("/clients/").status_code, 200)

    def test_with_passkeys_required_the_app_set_up_leads_to_a_passkey(self) -> None:
        self.require_passkeys()
        self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": PASSWORD}
        )
        self.assertRedirects(
            self.client.get("/accounts/second-factor/setup/"),
            "/accounts/second-factor/passkey/?next=%2F",
        )
        self.assertFalse(TOTPDevice.objects.filter(user=self.therapist_a).exists())

    def test_a_password_alone_opens_no_staff_members_passkeys(self) -> None:
        passkey = self.passkey_for(self.therapist_a)
        self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": PASSWORD}
        )
        for response in (
            self.client.get("/accounts/passkeys/"),
            self.client.post(f"/accounts/passkeys/{passkey.pk}/remove/"),
            self.client.post(f"/accounts/passkeys/{passkey.pk}/name/", {"name": "Mine now"}),
        ):
            self.assertEqual(response.status_code, 302)
            self.assertTrue(response["Location"].startswith("/accounts/second-factor/"))
        passkey.refresh_from_db()
        self.assertEqual(passkey.name, "Phone")

    def test_the_list_shows_each_passkey_with_its_last_use(self) -> None:
        self.passkey_for(user_of(self.client_a), "Robin's phone")
        self.sign_in(self.client_a)
        page = self.client.get("/accounts/passkeys/")
        self.assertContains(page, "Robin&#x27;s phone")
        self.assertContains(page, "never used")

    def test_renaming_a_passkey_is_audited_without_its_name(self) -> None:
        passkey = self.passkey_for(user_of(self.client_a))
        self.sign_in(self.client_a)
        self.client.post(f"/accounts/passkeys/{passkey.pk}/name/", {"name": "Robin's phone"})
        passkey.refresh_from_db()
        self.assertEqual(passkey.name, "Robin's phone")
        event = AccessEvent.objects.get(object_type="passkey", action="change")
        self.assertNotIn("Robin", json.dumps(event.changes))

    def test_nobody_names_or_removes_someone_elses_passkey(self) -> None:
        passkey = self.passkey_for(user_of(self.client_a))
        self.sign_in(self.client_b)
        self.assertEqual(self.client.get(f"/accounts/passkeys/{passkey.pk}/name/").status_code, 404)
        self.assertEqual(
            self.client.post(f"/accounts/passkeys/{passkey.pk}/remove/").status_code, 404
        )
        self.assertTrue(WebAuthnCredential.objects.filter(pk=passkey.pk).exists())

    def test_a_client_removes_their_passkey_and_keeps_their_password(self) -> None:
        passkey = self.passkey_for(user_of(self.client_a))
        self.sign_in(self.client_a)
        self.client.post(f"/accounts/passkeys/{passkey.pk}/remove/")
        self.assertFalse(WebAuthnCredential.objects.exists())
        event = AccessEvent.objects.get(object_type="passkey", action="delete")
        self.assertEqual(event.object_id, str(passkey.pk))

    def test_staff_keep_the_last_second_factor_their_clinic_requires(self) -> None:
        self.require_passkeys()
        passkey = self.passkey_for(self.therapist_a)
        TOTPDevice.objects.create(user=self.therapist_a, name="app", confirmed=True)
        with self.assertRaisesMessage(actions.PasskeyRemovalRefused, "your last one"):
            actions.remove_passkey(passkey, by=self.therapist_a)
        self.clinic.staff_second_factor = Clinic.SecondFactor.ANY
        self.clinic.save()
        actions.remove_passkey(passkey, by=self.therapist_a)  # the app remains
        self.assertFalse(WebAuthnCredential.objects.exists())

    def test_staff_keep_their_only_second_factor_when_one_is_required(self) -> None:
        self.clinic.staff_mfa_required = True
        self.clinic.save()
        passkey = self.passkey_for(self.therapist_a)
        with self.assertRaises(actions.PasskeyRemovalRefused):
            actions.remove_passkey(passkey, by=self.therapist_a)
        self.assertTrue(WebAuthnCredential.objects.exists())

    def test_an_admins_reset_removes_the_lost_passkeys_and_is_audited(self) -> None:
        self.passkey_for(self.therapist_a, "Lost phone")
        self.passkey_for(self.admin, "Admin's key")
        actions.reset_second_factor(self.therapist_a, by=self.admin)
        self.assertFalse(WebAuthnCredential.objects.filter(user=self.therapist_a).exists())
        self.assertTrue(WebAuthnCredential.objects.filter(user=self.admin).exists())
        event = AccessEvent.objects.get(object_type="second-factor", action="delete")
        self.assertEqual(event.changes["detail"], {"devices": 0, "passkeys": 1})

    def test_the_clinic_setting_is_audited_with_its_old_and_new_values(self) -> None:
        actions.update_clinic_settings(
            self.clinic, by=self.admin, staff_second_factor=Clinic.SecondFactor.PASSKEY
        )
        event = AccessEvent.objects.filter(object_type="clinic", action="change").latest("pk")
        self.assertIn("passkey", json.dumps(event.changes))

    def reset_password_of(self, user: User) -> None:
        reset, _token = actions.issue_password_reset(user, by=None)
        actions.choose_new_password(reset, password="a-brand-new-password-77")

    def test_a_clients_new_password_by_link_removes_their_passkeys(self) -> None:
        passkey = self.passkey_for(user_of(self.client_a), "Lost phone")
        self.reset_password_of(user_of(self.client_a))
        self.assertFalse(WebAuthnCredential.objects.exists())
        event = AccessEvent.objects.get(object_type="passkey", action="delete")
        self.assertEqual(
            (event.object_id, event.changes["detail"]), (str(passkey.pk), {"by": "password-reset"})
        )

    def test_a_staff_members_new_password_by_link_keeps_their_second_factor(self) -> None:
        self.passkey_for(self.therapist_a)
        self.reset_password_of(self.therapist_a)
        self.assertTrue(WebAuthnCredential.objects.filter(user=self.therapist_a).exists())

    def test_the_passkey_pages_speak_german(self) -> None:
        sign_in = self.client.get("/accounts/sign-in/", HTTP_ACCEPT_LANGUAGE="de")
        self.assertContains(sign_in, "Mit Passkey anmelden")
        actions.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.sign_in(self.client_a)
        page = self.client.get("/accounts/passkeys/")
        self.assertContains(page, "Sie haben noch keinen Passkey.")
        self.assertContains(page, "Passkey registrieren")

    def test_a_clinic_admin_chooses_passkeys_only_on_the_settings_page(self) -> None:
        self.sign_in(self.admin)
        page = self.client.get("/clinic/settings/")
        self.assertContains(page, "a passkey only")
        form = page.context["form"]
        data = {name: form[name].value() for name in form.fields}
        data = {name: "" if value is None else value for name, value in data.items()}
        data.update(staff_mfa_required="on", staff_second_factor="passkey")
        data = {name: value for name, value in data.items() if value is not False}
        self.client.post("/clinic/settings/", data)
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.staff_second_factor, Clinic.SecondFactor.PASSKEY)

    def test_passkeys_only_without_a_second_factor_is_refused_saying_what_to_tick(self) -> None:
        self.sign_in(self.admin)
        form = self.client.get("/clinic/settings/").context["form"]
        data = {name: form[name].value() for name in form.fields}
        data = {name: "" if value is None else value for name, value in data.items()}
        data.update(staff_second_factor="passkey")
        data = {name: value for name, value in data.items() if value is not False}
        data.pop("staff_mfa_required", None)
        answer = self.client.post("/clinic/settings/", data)
        self.assertContains(answer, "applies when staff need a second factor")
        self.clinic.refresh_from_db()
        self.assertEqual(self.clinic.staff_second_factor, Clinic.SecondFactor.ANY)

    def test_staff_enrolling_their_first_second_factor_may_choose_a_passkey(self) -> None:
        self.clinic.staff_mfa_required = True
        self.clinic.save()
        self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": PASSWORD}
        )
        setup = self.client.get("/accounts/second-factor/setup/?next=/clients/")
        self.assertContains(setup, 'href="/accounts/second-factor/passkey/?next=/clients/"')
        page = self.client.get("/accounts/second-factor/passkey/?next=/clients/")
        self.assertContains(page, "Use an authenticator app instead")
        self.assertEqual(self.register(Authenticator()).status_code, 200)
        self.assertEqual(self.client.get("/clients/").status_code, 200)
        # With a second factor enrolled, the page has nothing more to offer.
        self.assertRedirects(
            self.client.get("/accounts/second-factor/passkey/?next=/clients/"),
            "/clients/",
            fetch_redirect_response=False,
        )
