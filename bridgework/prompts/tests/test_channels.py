"""The channels: e-mail through a real local SMTP server, the calendar feed read back with
icalendar, Web Push with only the push service mocked (the edge of the world)."""

from __future__ import annotations

import base64
import json
import socket
from datetime import timedelta
from email import message_from_bytes
from typing import Any
from unittest import mock

import requests
from aiosmtpd.controller import Controller
from django.core import mail
from django.test import override_settings
from icalendar import Calendar
from py_vapid import Vapid

from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.prompts import subscriptions
from bridgework.prompts.channels import PUSH_TIMEOUT_SECONDS, push_payload
from bridgework.prompts.models import Prompt, PushSubscription
from bridgework.prompts.tests.helpers import PromptTestCase
from bridgework.prompts.worker import Worker
from bridgework.test import user_of


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class EmailTests(PromptTestCase):
    def test_a_reminder_email_goes_through_smtp_with_a_link_and_nothing_about_care(self) -> None:
        inbox, port = Inbox(), free_port()
        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            self.consent("reminders-email")
            prompt = self.make_due(self.schedule(channels=["email"]))[0]
            with override_settings(
                EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
                EMAIL_HOST="127.0.0.1",
                EMAIL_PORT=port,
                EMAIL_USE_TLS=False,
                EMAIL_USE_SSL=False,
            ):
                Worker(name="w1").step()
        finally:
            server.stop()
        self.assertEqual(len(inbox.messages), 1)
        envelope = inbox.messages[0]
        self.assertEqual(envelope.rcpt_tos, ["client_a@example.org"])
        message = message_from_bytes(envelope.content)
        payload = message.get_payload(decode=True)
        assert isinstance(payload, bytes)
        body = payload.decode()
        self.assertIn(f"/me/prompts/{prompt.pk}/", body)
        for private in (self.plan.title, self.plan.rationale[:30], self.client_a.full_name):
            self.assertNotIn(private, body)
            self.assertNotIn(private, message["Subject"])
        prompt.refresh_from_db()
        self.assertEqual(prompt.state, Prompt.State.SENT)

    def test_a_withdrawn_consent_stops_the_email_at_once(self) -> None:
        self.consent("reminders-email")
        prompt = self.make_due(self.schedule(channels=["email"]))[0]
        care.set_consent(self.client_a, "reminders-email", False, by=user_of(self.client_a))
        Worker(name="w1").step()  # the locmem backend would keep any message
        self.assertEqual(mail.outbox, [])
        prompt.refresh_from_db()
        event = prompt.events.latest("id")
        self.assertEqual((prompt.state, event.channel), (Prompt.State.DELIVERED, "in-app"))

    def test_a_refusing_mail_server_is_a_failed_try_with_the_reason(self) -> None:
        self.consent("reminders-email")
        prompt = self.make_due(self.schedule(channels=["email"]))[0]
        with override_settings(
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=free_port(),
            EMAIL_USE_TLS=False,
            EMAIL_USE_SSL=False,
            EMAIL_TIMEOUT=2,
        ):
            Worker(name="w1").step()
        prompt.refresh_from_db()
        self.assertEqual((prompt.state, prompt.attempts), (Prompt.State.SCHEDULED, 1))
        self.assertIn("E-mail not accepted", prompt.failure)


class CalendarTests(PromptTestCase):
    def test_the_feed_holds_the_coming_reminders_with_alarms_at_their_times(self) -> None:
        self.consent("reminders-calendar")
        schedule = self.schedule(channels=["calendar"])
        token = subscriptions.new_calendar_feed(self.client_a, by=self.client_a.user)  # type: ignore[arg-type]
        response = self.client.get(f"/calendar/{token}.ics")
        self.assertEqual(response["Content-Type"], "text/calendar")
        events = Calendar.from_ical(response.content).walk("VEVENT")
        due = {p.due_at for p in Prompt.objects.filter(schedule=schedule)}
        self.assertEqual({event.decoded("dtstart") for event in events}, due)
        for event in events:
            alarm = event.walk("VALARM")[0]
            self.assertEqual(alarm.decoded("trigger"), timedelta(0))
            self.assertEqual(str(event["summary"]), "Bridgework reminder")
            self.assertNotIn(self.plan.title, event.to_ical().decode())

    def test_a_revoked_address_is_not_found(self) -> None:
        self.consent("reminders-calendar")
        token = subscriptions.new_calendar_feed(self.client_a, by=self.client_a.user)  # type: ignore[arg-type]
        self.assertEqual(self.client.get(f"/calendar/{token}.ics").status_code, 200)
        newer = subscriptions.new_calendar_feed(self.client_a, by=self.client_a.user)  # type: ignore[arg-type]
        self.assertEqual(self.client.get(f"/calendar/{token}.ics").status_code, 404)
        subscriptions.revoke_calendar_feeds(self.client_a, by=self.client_a.user)
        self.assertEqual(self.client.get(f"/calendar/{newer}.ics").status_code, 404)

    def test_withdrawing_calendar_consent_ends_the_address_for_good(self) -> None:
        self.consent("reminders-calendar")
        token = subscriptions.new_calendar_feed(self.client_a, by=self.client_a.user)  # type: ignore[arg-type]
        self.assertEqual(self.client.get(f"/calendar/{token}.ics").status_code, 200)
        care.set_consent(self.client_a, "reminders-calendar", False, by=user_of(self.client_a))
        self.assertEqual(self.client.get(f"/calendar/{token}.ics").status_code, 404)
        self.consent("reminders-calendar")  # consenting again does not bring the old one back
        self.assertEqual(self.client.get(f"/calendar/{token}.ics").status_code, 404)

    def test_the_client_gets_the_address_once_on_their_reminders_page(self) -> None:
        self.sign_in(self.client_a)
        self.client.post("/me/reminders/calendar/", {"action": "new"})
        page = self.client.get("/me/reminders/").content.decode()
        self.assertIn(".ics", page)
        self.assertNotIn(".ics", self.client.get("/me/reminders/").content.decode())


def vapid_keys() -> tuple[str, str]:
    """A server's VAPID key pair: the private key as base64url (one of the forms pywebpush
    reads), the public key as the browser's applicationServerKey."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    vapid = Vapid()
    vapid.generate_keys()
    secret = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    point = vapid.public_key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return (
        base64.urlsafe_b64encode(secret).decode().rstrip("="),
        base64.urlsafe_b64encode(point).decode().rstrip("="),
    )


def browser_keys() -> dict[str, str]:
    """A subscription's keys as a browser makes them (an EC P-256 key and 16 random bytes)."""
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    key = ec.generate_private_key(ec.SECP256R1()).public_key()
    point = key.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
    return {
        "p256dh": base64.urlsafe_b64encode(point).decode().rstrip("="),
        "auth": base64.urlsafe_b64encode(b"0123456789abcdef").decode().rstrip("="),
    }


class PushTests(PromptTestCase):
    def test_the_payload_holds_no_health_data(self) -> None:
        prompt = self.make_due(self.schedule())[0]
        payload = json.dumps(push_payload(prompt))
        for private in (
            self.plan.title,
            self.plan.rationale[:20],
            self.client_a.full_name,
            self.plan.instructions[:20],
        ):
            self.assertNotIn(private, payload)
        self.assertEqual(json.loads(payload)["url"], f"/me/prompts/{prompt.pk}/")

    def test_a_subscribed_phone_gets_the_push_through_the_push_service(self) -> None:
        private, public = vapid_keys()
        self.sign_in(self.client_a)
        keys = browser_keys()
        response = self.client.post(
            "/me/push/subscribe/",
            json.dumps({"endpoint": "https://fcm.googleapis.com/fcm/send/abc", "keys": keys}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 201)
        self.assertEqual(PushSubscription.objects.get().client, self.client_a)
        prompt = self.make_due(self.schedule(channels=["push"]))[0]
        accepted = mock.Mock(status_code=201, text="")
        with (
            override_settings(VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public),
            mock.patch("pywebpush.requests.post", return_value=accepted) as push_service,
        ):
            Worker(name="w1").step()
        self.assertEqual(push_service.call_count, 1)
        url = push_service.call_args.args[0]
        headers = push_service.call_args.kwargs["headers"]
        self.assertEqual(url, "https://fcm.googleapis.com/fcm/send/abc")
        self.assertIn("vapid", headers["Authorization"].lower())
        body = push_service.call_args.kwargs["data"]
        self.assertNotIn(self.plan.title.encode(), body)  # the payload travels encrypted too
        self.assertEqual(Prompt.objects.get(pk=prompt.pk).state, Prompt.State.SENT)

    def test_a_gone_subscription_is_forgotten(self) -> None:
        private, public = vapid_keys()
        PushSubscription.objects.create(
            client=self.client_a, endpoint="https://fcm.googleapis.com/fcm/send/x", **browser_keys()
        )
        self.consent("reminders-push")
        self.make_due(self.schedule(channels=["push"]))
        gone = mock.Mock(status_code=410, text="gone")
        with (
            override_settings(VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public),
            mock.patch("pywebpush.requests.post", return_value=gone),
        ):
            Worker(name="w1").step()
        self.assertFalse(PushSubscription.objects.exists())

    def test_forgetting_a_gone_subscription_is_on_the_clients_record(self) -> None:
        private, public = vapid_keys()
        phone = PushSubscription.objects.create(
            client=self.client_a, endpoint="https://fcm.googleapis.com/fcm/send/x", **browser_keys()
        )
        self.consent("reminders-push")
        self.make_due(self.schedule(channels=["push"]))
        gone = mock.Mock(status_code=404, text="not found")
        with (
            override_settings(VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public),
            mock.patch("pywebpush.requests.post", return_value=gone),
        ):
            Worker(name="w1").step()
        forgotten = AccessEvent.objects.get(object_type="push-subscription", action="delete")
        self.assertEqual(
            (forgotten.object_id, forgotten.client_id, forgotten.actor_id, forgotten.actor_role),
            (str(phone.pk), self.client_a.pk, None, "system"),
        )

    def test_subscribing_needs_a_known_push_service_over_https(self) -> None:
        # The server posts to this address: anything else would let a client aim it inwards.
        self.sign_in(self.client_a)
        for endpoint in (
            "http://127.0.0.1/evil",
            "https://127.0.0.1/evil",
            "https://169.254.169.254/latest/meta-data/",
            "https://push.example.net/send/abc",
            "https://fcm.googleapis.com.evil.example/send/abc",
            "https://fcm.googleapis.com:8443/send/abc",
            "https://user@fcm.googleapis.com/send/abc",
        ):
            response = self.client.post(
                "/me/push/subscribe/",
                json.dumps({"endpoint": endpoint, "keys": browser_keys()}),
                content_type="application/json",
            )
            self.assertEqual(response.status_code, 400, endpoint)
        self.assertFalse(PushSubscription.objects.exists())
        self.assertNotIn("reminders-push", care.consents_given(self.client_a))

    def test_a_refused_subscription_gives_no_consent(self) -> None:
        self.sign_in(self.client_a)
        short_keys = {"p256dh": "too-short", "auth": "x"}
        response = self.client.post(
            "/me/push/subscribe/",
            json.dumps({"endpoint": "https://fcm.googleapis.com/fcm/send/a", "keys": short_keys}),
            content_type="application/json",
        )
        self.assertEqual(response.status_code, 400)
        self.assertNotIn("reminders-push", care.consents_given(self.client_a))

    def test_an_unreachable_push_service_is_a_failed_try_not_a_stopped_worker(self) -> None:
        private, public = vapid_keys()
        PushSubscription.objects.create(
            client=self.client_a, endpoint="https://fcm.googleapis.com/fcm/send/x", **browser_keys()
        )
        self.consent("reminders-push")
        prompt = self.make_due(self.schedule(channels=["push"]))[0]
        with (
            override_settings(VAPID_PRIVATE_KEY=private, VAPID_PUBLIC_KEY=public),
            mock.patch(
                "pywebpush.requests.post", side_effect=requests.ConnectionError("no route")
            ) as push_service,
        ):
            self.assertEqual(Worker(name="w1").step(), 1)
        self.assertEqual(push_service.call_args.kwargs["timeout"], PUSH_TIMEOUT_SECONDS)
        prompt.refresh_from_db()
        self.assertEqual((prompt.state, prompt.attempts), (Prompt.State.SCHEDULED, 1))

    def test_withdrawing_push_consent_forgets_the_phones(self) -> None:
        PushSubscription.objects.create(
            client=self.client_a, endpoint="https://fcm.googleapis.com/fcm/send/x", **browser_keys()
        )
        self.consent("reminders-push")
        care.set_consent(self.client_a, "reminders-push", False, by=user_of(self.client_a))
        self.assertFalse(PushSubscription.objects.exists())
