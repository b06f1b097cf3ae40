"""Each person's language: staff choose theirs in Your settings, clients in Settings; new
people start with their clinic's default language; pages, e-mails and PDFs follow it."""

from __future__ import annotations

import datetime

from django.core import mail
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bridgework.accounts import actions
from bridgework.accounts.models import AccountEmail, User
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.test import PASSWORD, BaseTestCase, send_account_emails


class StaffLanguageTests(BaseTestCase):
    def test_a_therapist_chooses_german_and_their_pages_are_in_german(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.client.get("/accounts/settings/")
        self.assertContains(page, 'value="de"')
        answer = self.client.post("/accounts/settings/", {"language": "de"}, follow=True)
        self.therapist_a.refresh_from_db()
        self.assertEqual(self.therapist_a.language, "de")
        self.assertContains(answer, "Ihre Sprache ist gespeichert.")
        caseload = self.client.get("/clients/")
        self.assertEqual(caseload.headers["Content-Language"], "de")
        self.assertContains(caseload, "Fallübersicht")
        self.assertNotContains(caseload, ">Caseload<")

    def test_a_password_alone_changes_nothing_where_the_clinic_asks_for_a_second_factor(
        self,
    ) -> None:
        # /accounts/ stands before the second-factor check; the page makes it itself.
        self.clinic.staff_mfa_required = True
        self.clinic.save()
        self.client.post(
            "/accounts/sign-in/", {"email": "therapist_a@example.org", "password": PASSWORD}
        )
        answer = self.client.post("/accounts/settings/", {"language": "de"})
        self.assertEqual(answer.status_code, 302)
        self.assertTrue(answer["Location"].startswith("/accounts/second-factor/"))
        self.therapist_a.refresh_from_db()
        self.assertEqual(self.therapist_a.language, "en")

    def test_the_change_is_audited_as_the_persons_own(self) -> None:
        self.sign_in(self.therapist_a)
        self.client.post("/accounts/settings/", {"language": "de"})
        event = AccessEvent.objects.filter(
            action=AccessEvent.Action.CHANGE, object_id=str(self.therapist_a.pk)
        ).latest("seq")
        self.assertEqual(event.actor_id, self.therapist_a.pk)
        self.assertEqual(event.changes["values"]["language"], ["en", "de"])

    def test_a_language_not_shipped_is_refused_with_a_message(self) -> None:
        self.sign_in(self.admin)
        page = self.client.post("/accounts/settings/", {"language": "xx"})
        self.assertContains(page, "Choose one of the languages in the list.")
        self.admin.refresh_from_db()
        self.assertEqual(self.admin.language, "en")

    def test_clients_keep_their_own_settings_page(self) -> None:
        self.sign_in(self.client_a)
        self.assertEqual(self.client.get("/accounts/settings/").status_code, 404)

    def test_an_email_to_staff_is_in_their_language_whatever_page_sent_it(self) -> None:
        actions.set_language(self.therapist_a, "de", by=self.therapist_a)
        with translation.override("en"):
            actions.send_password_reset(self.therapist_a, by=self.admin)
        send_account_emails()
        with translation.override("de"):
            self.assertIn(_("Choose a new password for Bridgework"), mail.outbox[0].subject)


class ClinicDefaultLanguageTests(BaseTestCase):
    def setUp(self) -> None:
        actions.update_clinic_settings(self.clinic, by=self.admin, default_language="de")

    def test_the_setting_is_audited(self) -> None:
        event = AccessEvent.objects.filter(object_type="clinic").latest("seq")
        self.assertEqual(event.changes["values"]["default_language"], ["en", "de"])

    def test_new_staff_start_in_the_clinics_language(self) -> None:
        staff = actions.create_staff(
            clinic=self.clinic,
            email="neu@example.org",
            full_name="Neu",
            password=None,
            roles=["therapist"],
            by=self.admin,
        )
        self.assertEqual(staff.language, "de")

    def test_invited_people_start_in_the_clinics_language_and_are_invited_in_it(self) -> None:
        record = care.add_client(
            clinic=self.clinic,
            full_name="Neue Klientin",
            by=self.admin,
            care_team=[self.therapist_a],
            time_zone="",
        )
        for invitation, _token in (
            self.open_invitation(email="new-staff@example.org"),
            self.open_invitation(client=record, email="new-client@example.org"),
        ):
            user = actions.accept_invitation(
                invitation, password="a long passphrase 4 tests", full_name="Neu"
            )
            self.assertEqual((user.kind, user.language), (invitation.kind, "de"))
        with translation.override("en"):
            actions.invite(
                clinic=self.clinic,
                email="second@example.org",
                by=self.admin,
                kind=User.Kind.STAFF,
                roles=["therapist"],
            )
        self.assertEqual(AccountEmail.objects.get(to="second@example.org").language, "de")

    def test_the_clinic_settings_page_offers_it(self) -> None:
        self.sign_in(self.admin)
        self.assertContains(self.client.get("/clinic/settings/"), 'name="default_language"')


class LocalizedDatesTests(BaseTestCase):
    def test_a_german_reader_sees_the_day_first_with_the_month_in_words(self) -> None:
        day = datetime.date(2026, 12, 3)
        with translation.override("de"):
            self.assertEqual(date_format(day, _("j M Y")), "3. Dezember 2026")
            self.assertEqual(date_format(day, _("j M")), "3. Dezember")
        with translation.override("en"):
            self.assertEqual(date_format(day, _("j M Y")), "3 Dec 2026")

    def test_numbers_have_a_decimal_comma_in_german(self) -> None:
        from django.template import Context, Template

        template = Template("{{ value }} {{ value|floatformat:1 }}")
        with translation.override("de"):
            self.assertEqual(template.render(Context({"value": 12.5})), "12,5 12,5")


class ErasurePreviewWordsTests(BaseTestCase):
    def test_every_kind_an_erasure_removes_has_words_in_the_readers_language(self) -> None:
        from bridgework.records import erasure

        kinds = {str(field.model._meta.verbose_name_plural) for field in erasure.client_links()}
        kinds -= {str(model._meta.verbose_name_plural) for model in erasure.KEPT_WITHOUT_CLIENT}
        kinds |= {"clients", erasure.ACCOUNT}
        self.assertEqual(kinds - set(erasure.KIND_NAMES), set())
        with translation.override("de"):
            named = erasure.named(erasure.preview(self.client_a))
        self.assertEqual(named["Klientinnen und Klienten"], 1)
        self.assertIn("Anmeldekonto", named)
