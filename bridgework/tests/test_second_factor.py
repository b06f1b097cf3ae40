from __future__ import annotations

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgework.audit.models import AccessEvent
from bridgework.test import PASSWORD, BaseTestCase


def code_for(device: TOTPDevice) -> str:
    """The code an authenticator app would show now."""
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


class SecondFactorTests(BaseTestCase):
    def setUp(self) -> None:
        self.clinic.staff_mfa_required = True
        self.clinic.save()

    def sign_in_with_password(self, email: str = "therapist_a@example.org"):
        return self.client.post("/accounts/sign-in/", {"email": email, "password": PASSWORD})

    def test_when_the_clinic_requires_it_staff_set_up_an_app_before_anything_else(self) -> None:
        response = self.sign_in_with_password()
        self.assertRedirects(
            response, "/accounts/second-factor/?next=%2F", fetch_redirect_response=False
        )
        self.assertEqual(self.client.get("/clients/").status_code, 302)
        setup = self.client.get("/accounts/second-factor/", follow=True)
        self.assertContains(setup, "Set up your authenticator app")
        self.assertContains(setup, "<svg")

        device = TOTPDevice.objects.get(user=self.therapist_a, confirmed=False)
        done = self.client.post("/accounts/second-factor/setup/", {"code": code_for(device)})
        self.assertEqual(done.status_code, 302)
        device.refresh_from_db()
        self.assertTrue(device.confirmed)
        self.assertEqual(self.client.get("/clients/").status_code, 200)

    def test_staff_with_an_app_confirm_each_sign_in(self) -> None:
        device = TOTPDevice.objects.create(user=self.therapist_a, name="phone", confirmed=True)
        self.sign_in_with_password()
        self.assertEqual(self.client.get("/clients/").status_code, 302)
        wrong = self.client.post("/accounts/second-factor/", {"code": "12345"})
        self.assertContains(wrong, "Enter the 6 digits")
        self.client.post("/accounts/second-factor/", {"code": code_for(device)})
        self.assertEqual(self.client.get("/clients/").status_code, 200)

    def test_wrong_codes_are_refused_and_slow_down_guessing(self) -> None:
        device = TOTPDevice.objects.create(user=self.therapist_a, name="phone", confirmed=True)
        self.sign_in_with_password()
        wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"
        first = self.client.post("/accounts/second-factor/", {"code": wrong})
        self.assertContains(first, "That code is not right")
        second = self.client.post("/accounts/second-factor/", {"code": code_for(device)})
        self.assertContains(second, "Too many wrong codes in a row")
        self.assertEqual(self.client.get("/clients/").status_code, 302)

    def test_a_code_is_not_accepted_twice(self) -> None:
        device = TOTPDevice.objects.create(user=self.therapist_a, name="phone", confirmed=True)
        code = code_for(device)
        self.sign_in_with_password()
        self.client.post("/accounts/second-factor/", {"code": code})
        self.client.post("/accounts/sign-out/")
        self.sign_in_with_password()
        replay = self.client.post("/accounts/second-factor/", {"code": code})
        self.assertContains(replay, "That code is not right")

    def test_clients_are_never_asked_for_a_second_factor(self) -> None:
        self.sign_in_with_password("client_a@example.org")
        self.assertEqual(self.client.get("/me/").status_code, 200)

    def test_without_the_policy_staff_without_an_app_go_straight_in(self) -> None:
        self.clinic.staff_mfa_required = False
        self.clinic.save()
        self.sign_in_with_password()
        self.assertEqual(self.client.get("/clients/").status_code, 200)

    def test_an_admin_reset_makes_them_set_up_a_new_app(self) -> None:
        TOTPDevice.objects.create(user=self.therapist_a, name="lost phone", confirmed=True)
        self.sign_in(self.admin)
        admin_device = TOTPDevice.objects.create(user=self.admin, name="admin", confirmed=True)
        self.client.post("/accounts/second-factor/", {"code": code_for(admin_device)})
        self.client.post(f"/clinic/staff/{self.therapist_a.pk}/reset-second-factor/")
        self.assertFalse(TOTPDevice.objects.filter(user=self.therapist_a).exists())

    def test_the_set_up_page_makes_one_app_to_confirm_however_often_it_is_opened(self) -> None:
        self.sign_in_with_password()
        first = self.client.get("/accounts/second-factor/setup/")
        again = self.client.get("/accounts/second-factor/setup/")
        device = TOTPDevice.objects.get(user=self.therapist_a)
        self.assertFalse(device.confirmed)
        # The same key both times: the QR code scanned first still works.
        self.assertEqual(first.context["secret"], again.context["secret"])
        made = AccessEvent.objects.filter(object_type="second-factor-setup")
        self.assertEqual(
            list(made.values_list("actor_id", "action", "object_id")),
            [(self.therapist_a.pk, "create", str(self.therapist_a.pk))],
        )
