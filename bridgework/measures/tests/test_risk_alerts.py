"""A risk flag reaches a person: the care team by e-mail at once, the clinic's duty contact
when nobody acknowledges it in time; sent by the worker once, through a real local SMTP
server, with nothing about the client's health (or name) in the message."""

from __future__ import annotations

import re
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from email import message_from_bytes
from email.message import Message
from io import StringIO
from typing import Any
from unittest import mock

import pytest
from aiosmtpd.controller import Controller
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from bridgework.accounts.models import Clinic, User
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.measures import actions, alerts
from bridgework.measures.models import Flag, FlagNotice
from bridgework.prompts.tests.test_channels import Inbox, free_port
from bridgework.prompts.worker import Worker
from bridgework.test import BaseTestCase, make_client, make_clinic, make_staff, user_of

SUBJECT = "Something needs your attention in Bridgework"


def smtp_settings(port: int) -> Any:
    return override_settings(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=port,
        EMAIL_USE_TLS=False,
        EMAIL_USE_SSL=False,
        EMAIL_TIMEOUT=5,
    )


class RefusingInbox(Inbox):
    """A mail server that refuses messages to one address, until told to accept them."""

    def __init__(self, refused: str) -> None:
        super().__init__()
        self.refused: str | None = refused

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.refused in envelope.rcpt_tos:
            return "554 Transaction failed"
        return await super().handle_DATA(server, session, envelope)


@contextmanager
def mail_server(port: int | None = None, inbox: Inbox | None = None) -> Iterator[Inbox]:
    """A real SMTP server on this machine, and the settings that send to it."""
    inbox, port = inbox or Inbox(), port or free_port()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    try:
        with smtp_settings(port):
            yield inbox
    finally:
        server.stop()


@contextmanager
def clock_at(moment: datetime) -> Iterator[None]:
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def parsed(envelope: Any) -> tuple[Message, str]:
    message = message_from_bytes(envelope.content)
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return message, payload.decode().replace("\r\n", "\n")


def answer_phq9(client: Client, item9: int = 2, by: User | None = None) -> Flag:
    """The client fills in the PHQ-9 with item 9 above zero; returns the risk flag."""
    phq9 = actions.current("phq-9", None)
    assert phq9 is not None
    answers = {str(n): 1 for n in range(1, 9)} | {"9": item9}
    _response, flags = actions.respond(client, phq9, answers, by=by or user_of(client))
    return next(flag for flag in flags if flag.kind == Flag.Kind.RISK)


class RiskAlertTests(BaseTestCase):
    def health_data(self, flag: Flag) -> list[str]:
        """What the message must never carry: the instrument, the item, the flag's wording,
        the score and the client's name."""
        phq9 = actions.current("phq-9", None)
        assert phq9 is not None and flag.response is not None
        item9 = next(i for i in phq9.definition["item"] if i["linkId"] == "9")
        return [
            "PHQ",
            "Patient Health",
            phq9.title,
            item9["text"],
            "better off dead",
            "risk",
            "score",
            flag.text,
            flag.client.full_name,
            "Client A",
        ]

    def assert_nothing_about_care(
        self, flag: Flag, message: Message, body: str, *, staff: tuple[str, ...] = ()
    ) -> None:
        """The message may carry fixed words, the flag's reference, the links and (`staff`)
        the care team's names and sign-in addresses. Without those, no number is left (no
        score, no item), and nothing about the client or their answers is anywhere."""
        self.assertIn(f"/clients/{flag.client_id}/#flag-{flag.pk}", body)
        self.assertIn(alerts.link(flag), body)
        self.assertIn(f"F-{flag.pk}", body)
        words = f"{message['Subject']}\n{body}"
        for allowed in (alerts.link(flag), alerts.care_team_page(flag), flag.reference, *staff):
            words = words.replace(allowed, "")
        for private in self.health_data(flag):
            self.assertNotIn(private.lower(), words.lower())
        self.assertIsNone(re.search(r"\d", words), "no number: no score, no item")

    def test_a_risk_flag_emails_the_care_team_once_with_a_link_and_nothing_about_care(
        self,
    ) -> None:
        care.set_care_team(self.client_a, [self.therapist_a, self.supervisor], by=self.admin)
        flag = answer_phq9(self.client_a)
        with mail_server() as inbox:
            Worker(name="w1").step()
            Worker(name="w2").step()  # nothing left to send
        self.assertEqual(len(inbox.messages), 1)
        envelope = inbox.messages[0]
        self.assertEqual(
            sorted(envelope.rcpt_tos), ["supervisor@example.org", "therapist_a@example.org"]
        )
        message, body = parsed(envelope)
        self.assertEqual(message["Subject"], SUBJECT)
        self.assert_nothing_about_care(flag, message, body)
        notice = flag.notices.get(audience="care-team")
        self.assertEqual((notice.state, notice.attempts), ("sent", 0))

    def test_the_duty_contact_is_told_once_when_nobody_acknowledged_in_the_clinics_time(
        self,
    ) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(
            duty_contact_email="duty@northside.example", risk_escalation_hours=2
        )
        raised = timezone.now()
        with clock_at(raised):
            flag = answer_phq9(self.client_a)
        with mail_server() as inbox:
            with clock_at(raised + timedelta(minutes=1)):
                Worker(name="w1").step()
            with clock_at(raised + timedelta(hours=1, minutes=59)):
                Worker(name="w1").step()
            self.assertEqual([m.rcpt_tos for m in inbox.messages], [["therapist_a@example.org"]])
            with clock_at(raised + timedelta(hours=2, minutes=1)):
                Worker(name="w1").step()
                Worker(name="w2").step()
            with clock_at(raised + timedelta(hours=9)):
                Worker(name="w1").step()
        self.assertEqual(
            [m.rcpt_tos for m in inbox.messages],
            [["therapist_a@example.org"], ["duty@northside.example"]],
        )
        message, body = parsed(inbox.messages[1])
        self.assertEqual(message["Subject"], SUBJECT)
        self.assertIn("duty contact", body)
        self.assert_nothing_about_care(flag, message, body, staff=self.care_team_lines())
        duty = flag.notices.get(audience="duty-contact")
        self.assertEqual(duty.sent_at, raised + timedelta(hours=2, minutes=1))

    def care_team_lines(self) -> tuple[str, ...]:
        return tuple(f"- {m.full_name} <{m.email}>" for m in self.client_a.care_team.all())

    def test_the_duty_contact_is_told_whom_to_call_and_what_to_quote(self) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(duty_contact_email="duty@northside.example")
        care.set_care_team(self.client_a, [self.therapist_a, self.supervisor], by=self.admin)
        flag = answer_phq9(self.client_a)
        with mail_server() as inbox, clock_at(timezone.now() + timedelta(hours=4, minutes=1)):
            Worker(name="w1").step()
        duty = next(m for m in inbox.messages if m.rcpt_tos == ["duty@northside.example"])
        message, body = parsed(duty)
        self.assertIn(f"give them the reference F-{flag.pk}.", body)
        self.assertIn(
            "The care team:\n- Supervisor <supervisor@example.org>\n"
            "- Therapist A <therapist_a@example.org>",
            body,
        )
        self.assertIn(f"/clinic/clients/{self.client_a.pk}/", body)  # the admin's page of the team
        self.assert_nothing_about_care(flag, message, body, staff=self.care_team_lines())
        self.sign_in(self.admin)
        self.assertEqual(self.client.get(f"/clinic/clients/{self.client_a.pk}/").status_code, 200)
        self.sign_in(self.therapist_a)  # the reference they are given is on the flag
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertContains(page, f"reference F-{flag.pk}")

    def test_a_duty_contact_on_the_staff_reads_it_in_their_language_and_the_link_opens(
        self,
    ) -> None:
        User.objects.filter(pk=self.supervisor.pk).update(language="de")
        Clinic.objects.filter(pk=self.clinic.pk).update(duty_contact_email="supervisor@example.org")
        flag = answer_phq9(self.client_a)
        with mail_server() as inbox, clock_at(timezone.now() + timedelta(hours=4, minutes=1)):
            Worker(name="w1").step()
        duty = next(m for m in inbox.messages if m.rcpt_tos == ["supervisor@example.org"])
        message, body = parsed(duty)
        self.assertEqual(message["Subject"], "In Bridgework wartet etwas auf Ihre Aufmerksamkeit")
        self.assertIn("Bereitschaftskontakt", body)
        self.assertIn(f"Referenz F-{flag.pk}", body)
        self.assertIn("- Therapist A <therapist_a@example.org>", body)
        self.sign_in(self.supervisor)  # supervises therapist A: may read client A
        path = alerts.link(flag).removeprefix(settings.SITE_URL).split("#")[0]
        self.assertContains(self.client.get(path), f'id="flag-{flag.pk}"')

    def test_without_an_active_care_team_the_duty_contact_is_sent_to_a_clinic_admin(
        self,
    ) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(duty_contact_email="duty@northside.example")
        flag = answer_phq9(self.client_a)
        User.objects.filter(pk=self.therapist_a.pk).update(is_active=False)
        with mail_server() as inbox:
            Worker(name="w1").step()  # nobody to tell: the duty contact's is brought forward
            Worker(name="w1").step()
        self.assertEqual([m.rcpt_tos for m in inbox.messages], [["duty@northside.example"]])
        _message, body = parsed(inbox.messages[0])
        self.assertIn("Nobody on the care team can be e-mailed: please ask a clinic admin.", body)
        self.assertNotIn("The care team:", body)
        self.assertEqual(flag.notices.get(audience="care-team").state, "failed")

    def test_each_care_team_member_is_told_in_their_own_language_once(self) -> None:
        User.objects.filter(pk=self.supervisor.pk).update(language="de")
        care.set_care_team(self.client_a, [self.therapist_a, self.supervisor], by=self.admin)
        flag = answer_phq9(self.client_a)
        with mail_server() as inbox:
            Worker(name="w1").step()
            Worker(name="w2").step()
        subjects = {tuple(m.rcpt_tos): parsed(m)[0]["Subject"] for m in inbox.messages}
        self.assertEqual(
            subjects,
            {
                ("therapist_a@example.org",): SUBJECT,
                ("supervisor@example.org",): "In Bridgework wartet etwas auf Ihre Aufmerksamkeit",
            },
        )
        self.assertEqual(len(inbox.messages), 2)
        _message, german = parsed(next(m for m in inbox.messages if "supervisor" in m.rcpt_tos[0]))
        self.assertIn("Guten Tag,", german)
        self.assertIn(f"Referenz: F-{flag.pk}", german)
        notice = flag.notices.get(audience="care-team")
        self.assertEqual(notice.state, "sent")
        self.assertEqual(notice.told, ["supervisor@example.org", "therapist_a@example.org"])

    def test_a_retry_after_one_language_was_refused_tells_only_those_not_told(self) -> None:
        User.objects.filter(pk=self.supervisor.pk).update(language="de")
        care.set_care_team(self.client_a, [self.therapist_a, self.supervisor], by=self.admin)
        flag = answer_phq9(self.client_a)
        refusing = RefusingInbox(refused="therapist_a@example.org")  # English, sent second
        with mail_server(inbox=refusing) as inbox:
            Worker(name="w1").step()
            notice = flag.notices.get(audience="care-team")
            self.assertEqual((notice.state, notice.told), ("waiting", ["supervisor@example.org"]))
            self.assertIn("1 addresses told", notice.detail)
            refusing.refused = None
            with clock_at(notice.next_attempt_at + timedelta(seconds=1)):
                Worker(name="w1").step()
        self.assertEqual(
            [m.rcpt_tos for m in inbox.messages],
            [["supervisor@example.org"], ["therapist_a@example.org"]],
        )
        notice.refresh_from_db()
        self.assertEqual((notice.state, notice.attempts), ("sent", 1))
        self.assertEqual(notice.detail, "accepted by the mail server (2 addresses)")

    def test_acknowledging_before_the_deadline_means_no_message_to_the_duty_contact(
        self,
    ) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(duty_contact_email="duty@northside.example")
        flag = answer_phq9(self.client_a)
        with mail_server() as inbox:
            Worker(name="w1").step()
            self.sign_in(self.therapist_a)
            self.client.post(f"/flags/{flag.pk}/acknowledge/", {"note": "Called; safety plan."})
            with clock_at(timezone.now() + timedelta(hours=5)):
                self.assertEqual(Worker(name="w1").step(), 0)
        self.assertEqual([m.rcpt_tos for m in inbox.messages], [["therapist_a@example.org"]])
        duty = flag.notices.get(audience="duty-contact")
        self.assertEqual((duty.state, duty.sent_at), ("cancelled", None))

    def test_a_flag_acknowledged_before_the_worker_comes_tells_nobody(self) -> None:
        # The therapist entered the answers in the session and saw the flag at once.
        flag = answer_phq9(self.client_a, by=self.therapist_a)
        actions.acknowledge(flag, by=self.therapist_a, note="Discussed in the session.")
        Worker(name="w1").step()  # the locmem backend would keep any message
        self.assertEqual(mail.outbox, [])
        self.assertEqual(set(flag.notices.values_list("state", flat=True)), {"cancelled"})

    def test_a_refusing_mail_server_is_retried_with_backoff_until_it_accepts(self) -> None:
        flag = answer_phq9(self.client_a)
        port = free_port()  # nothing listens here yet
        with smtp_settings(port):
            Worker(name="w1").step()
        notice = flag.notices.get(audience="care-team")
        self.assertEqual((notice.state, notice.attempts), ("waiting", 1))
        self.assertIn("E-mail not accepted", notice.detail)
        self.assertGreater(notice.next_attempt_at, timezone.now() + timedelta(minutes=1))
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertContains(page, "Telling the care team failed (E-mail not accepted")
        with mail_server(port) as inbox:
            Worker(name="w1").step()  # the pause has not passed
            self.assertEqual(inbox.messages, [])
            with clock_at(notice.next_attempt_at + timedelta(seconds=1)):
                Worker(name="w1").step()
                Worker(name="w1").step()
        self.assertEqual(len(inbox.messages), 1)
        notice.refresh_from_db()
        self.assertEqual((notice.state, notice.attempts), ("sent", 1))

    def test_a_notice_that_keeps_failing_shows_on_the_flag_and_brings_the_duty_contact_forward(
        self,
    ) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(duty_contact_email="duty@northside.example")
        flag = answer_phq9(self.client_a)
        later = timezone.now() + timedelta(minutes=3)
        with smtp_settings(free_port()), self.settings(PROMPT_MAX_ATTEMPTS=2):
            Worker(name="w1").step()
            with clock_at(later):
                Worker(name="w1").step()
        care_team = flag.notices.get(audience="care-team")
        self.assertEqual((care_team.state, care_team.attempts), ("failed", 2))
        duty = flag.notices.get(audience="duty-contact")
        self.assertEqual(duty.next_attempt_at, later)  # not four hours after the flag
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertContains(page, "Could not tell the care team after 2 tries: E-mail not accepted")
        with mail_server() as inbox, clock_at(later):
            Worker(name="w1").step()
        self.assertEqual([m.rcpt_tos for m in inbox.messages], [["duty@northside.example"]])

    def test_the_flag_shows_who_was_told_when_in_the_viewers_time_zone(self) -> None:
        Clinic.objects.filter(pk=self.clinic.pk).update(
            time_zone="Asia/Kolkata", duty_contact_email="duty@northside.example"
        )
        flag = answer_phq9(self.client_a)
        Worker(name="w1").step()
        flag.notices.filter(audience="care-team").update(
            sent_at=datetime(2026, 3, 3, 10, 2, tzinfo=UTC)
        )
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        self.assertIn(f'id="flag-{flag.pk}"', page)
        self.assertIn("Care team told Tue 3 Mar, 15:32", page)  # UTC+5:30
        self.assertIn("Duty contact told at", page)
        self.assertIn("unless someone acknowledges this first", page)

    def test_without_a_duty_contact_only_the_care_team_is_told(self) -> None:
        flag = answer_phq9(self.client_a)
        with clock_at(timezone.now() + timedelta(hours=5)):
            Worker(name="w1").step()
        self.assertEqual([m.to for m in mail.outbox], [["therapist_a@example.org"]])
        duty = flag.notices.get(audience="duty-contact")
        self.assertEqual((duty.state, duty.detail), ("cancelled", "the clinic has no duty contact"))
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertContains(page, "Duty contact not told: the clinic has no duty contact.")

    def test_other_flags_wait_on_the_page_and_tell_nobody(self) -> None:
        actions.raise_flag(self.client_a, Flag.Kind.SILENCE, "No reminder answered.")
        self.assertFalse(FlagNotice.objects.exists())
        Worker(name="w1").step()
        self.assertEqual(mail.outbox, [])

    def test_sending_is_in_the_clients_audit_trail(self) -> None:
        from bridgework.audit.models import AccessEvent

        flag = answer_phq9(self.client_a)
        Worker(name="w1").step()
        notice = flag.notices.get(audience="care-team")
        event = AccessEvent.objects.get(object_type="flag-notice", object_id=str(notice.pk))
        self.assertEqual((event.client_id, event.actor_role), (self.client_a.pk, "system"))


class DutyContactSettingTests(BaseTestCase):
    def settings_form(self, **changes: str) -> dict[str, str]:
        return {
            "name": "Northside Therapy",
            "time_zone": "Europe/London",
            "action_plan_word": "",
            "action_plan_word_plural": "",
            "idle_timeout_minutes": "30",
            "crisis_resources": "Call 999.",
            "non_engagement_reviews": "2",
            "silence_days": "5",
            "risk_escalation_hours": "4",
            "duty_contact_email": "",
            "default_language": "en",
            **changes,
        }

    def test_the_clinic_sets_its_duty_contact_and_hours(self) -> None:
        self.sign_in(self.admin)
        page = self.client.get("/clinic/settings/")
        self.assertContains(page, "duty contact")
        response = self.client.post(
            "/clinic/settings/",
            self.settings_form(
                risk_escalation_hours="2", duty_contact_email="Duty@Northside.example"
            ),
        )
        self.assertRedirects(response, "/clinic/settings/", fetch_redirect_response=False)
        self.clinic.refresh_from_db()
        self.assertEqual(
            (self.clinic.risk_escalation_hours, self.clinic.duty_contact_email),
            (2, "duty@northside.example"),
        )

    def test_bad_hours_and_addresses_are_refused_with_a_message_and_change_nothing(self) -> None:
        self.sign_in(self.admin)
        hours = "Enter a whole number of hours from 1 to 24."
        address = "Enter an e-mail address such as duty@clinic.example, or leave this empty."
        for changes, expected in (
            ({"risk_escalation_hours": "0"}, hours),
            ({"risk_escalation_hours": "25"}, hours),
            ({"risk_escalation_hours": "-3"}, hours),
            ({"risk_escalation_hours": "four"}, hours),
            ({"risk_escalation_hours": ""}, hours),
            ({"duty_contact_email": "duty at clinic"}, address),
            (
                {"duty_contact_email": "client_a@example.org"},
                "sign-in address. The duty contact must be someone at the clinic",
            ),
        ):
            response = self.client.post("/clinic/settings/", self.settings_form(**changes))
            self.assertContains(response, expected, msg_prefix=str(changes))
            self.clinic.refresh_from_db()
            self.assertEqual(
                (self.clinic.risk_escalation_hours, self.clinic.duty_contact_email), (4, "")
            )


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_notice_exactly_once() -> None:
    clinic = make_clinic("Northside Therapy", duty_contact_email="duty@northside.example")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    clients = [make_client(clinic, f"client_{n}", therapist) for n in range(12)]
    flags = [answer_phq9(client) for client in clients]
    start = threading.Barrier(2)

    def work(name: str) -> None:
        worker = Worker(name=name)
        start.wait()
        try:
            while worker.step():
                pass
        finally:
            connection.close()

    def both_workers() -> None:
        threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in (1, 2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    both_workers()  # the care teams, at once
    with clock_at(timezone.now() + timedelta(hours=4, minutes=1)):
        both_workers()  # the duty contact, after four hours

    links = Counter(
        (message.to[0], re.findall(r"#flag-(\d+)", str(message.body))[0]) for message in mail.outbox
    )
    expected = {
        (address, str(flag.pk))
        for flag in flags
        for address in ("therapist_a@example.org", "duty@northside.example")
    }
    assert set(links) == expected and set(links.values()) == {1}
    assert set(FlagNotice.objects.values_list("state", flat=True)) == {"sent"}


@pytest.mark.django_db(transaction=True)  # the worker closes its connection between rounds
def test_the_demo_and_its_worker_tell_the_risk_clients_care_team() -> None:
    call_command("seed_demo", stdout=StringIO())
    call_command("run_worker", "--once")
    flag = Flag.objects.get(kind="risk")
    team = sorted(flag.client.care_team.values_list("email", flat=True))
    sent = [message for message in mail.outbox if message.subject == SUBJECT]
    assert [sorted(message.to) for message in sent] == [team]
    assert flag.client.full_name not in sent[0].body
    assert flag.notices.get(audience="care-team").state == "sent"
    assert flag.notices.get(audience="duty-contact").state == "waiting"
    assert alerts.send_due("again", lease=timedelta(minutes=2)) == 0
