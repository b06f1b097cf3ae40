"""The standard cast of actors every test can use (STYLE.md, "Tests")."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from django.test import RequestFactory, TestCase
from django.urls import URLPattern, URLResolver, get_resolver

from bridgework.accounts import actions as accounts
from bridgework.accounts import mail as account_mail
from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import Clinic, Invitation, Supervision, User
from bridgework.care import actions as care
from bridgework.care.models import Client

if TYPE_CHECKING:
    from playwright.sync_api import Page

PASSWORD = "a-long-test-password-42"


def browser_sign_in(
    page: Page, base_url: str, email: str, *, client_app: bool = False, password: str = PASSWORD
) -> None:
    """Sign in through the real page; for a client, wait until the phone app has started."""
    page.goto(f"{base_url}/accounts/sign-in/")
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if client_app:
        page.locator("html[data-app-ready]").wait_for(state="attached")


def make_clinic(name: str, **fields: Any) -> Clinic:
    # The cast's clinics do not require a second factor, so tests can sign staff in with one
    # call; the tests of the second factor turn the requirement on.
    fields.setdefault("staff_mfa_required", False)
    return accounts.create_clinic(name=name, time_zone="Europe/London", **fields)


def make_staff(clinic: Clinic, handle: str, *roles: str, approach: str = "") -> User:
    return accounts.create_staff(
        clinic=clinic,
        email=f"{handle}@example.org",
        full_name=handle.replace("_", " ").title(),
        password=PASSWORD,
        roles=list(roles),
        approach=approach,
        by=None,
    )


def make_client(clinic: Clinic, handle: str, therapist: User) -> Client:
    """A client with a care team of one, who has accepted their invitation."""
    client = care.add_client(
        clinic=clinic, full_name=handle.replace("_", " ").title(), care_team=[therapist], by=None
    )
    invitation, _token = accounts.invite(
        clinic=clinic,
        email=f"{handle}@example.org",
        kind=User.Kind.CLIENT,
        by=None,
        client=client,
        send=False,
    )
    accounts.accept_invitation(invitation, password=PASSWORD)
    client.refresh_from_db()
    return client


def send_account_emails() -> int:
    """What the worker does with accounts' e-mails (invitations, reset links, sign-in
    notices), until none is due: Django's test outbox then holds them. Returns how many."""
    sent = 0
    while claimed := account_mail.send_due("test-worker", lease=timedelta(minutes=2)):
        sent += claimed
    return sent


def user_of(client: Client) -> User:
    """The account a client signs in with."""
    assert client.user is not None, f"{client} has no account"
    return client.user


def request_of(user: User) -> AuthenticatedHttpRequest:
    """A request by `user` for calling a door directly, outside the middleware: the door's
    events are written at once."""
    request = RequestFactory().get("/")
    request.user = user
    return cast(AuthenticatedHttpRequest, request)


class BaseTestCase(TestCase):
    """A clinic admin, therapist A with client A, therapist B with client B, a supervisor of A,
    a researcher, and another clinic with its own admin, therapist and client. The anonymous
    visitor is simply `self.client` before any sign-in."""

    clinic: Clinic
    admin: User
    therapist_a: User
    therapist_b: User
    supervisor: User
    researcher: User
    client_a: Client
    client_b: Client
    other_clinic: Clinic
    other_admin: User
    other_therapist: User
    other_client: Client

    @classmethod
    def setUpTestData(cls) -> None:
        cls.clinic = make_clinic("Northside Therapy")
        cls.admin = make_staff(cls.clinic, "admin", "clinic_admin")
        cls.therapist_a = make_staff(cls.clinic, "therapist_a", "therapist", approach="cbt")
        cls.therapist_b = make_staff(cls.clinic, "therapist_b", "therapist", approach="humanistic")
        cls.supervisor = make_staff(cls.clinic, "supervisor", "supervisor")
        cls.researcher = make_staff(cls.clinic, "researcher", "researcher")
        Supervision.objects.create(supervisor=cls.supervisor, supervisee=cls.therapist_a)
        cls.client_a = make_client(cls.clinic, "client_a", cls.therapist_a)
        cls.client_b = make_client(cls.clinic, "client_b", cls.therapist_b)

        cls.other_clinic = make_clinic("Elsewhere Counselling")
        cls.other_admin = make_staff(cls.other_clinic, "other_admin", "clinic_admin")
        cls.other_therapist = make_staff(cls.other_clinic, "other_therapist", "therapist")
        cls.other_client = make_client(cls.other_clinic, "other_client", cls.other_therapist)

    def sign_in(self, user: User | Client | None) -> None:
        """Sign in as a person of the cast (a Client means that client's own account)."""
        self.client.logout()
        if isinstance(user, Client):
            user = user.user
        if user is not None:
            self.client.force_login(user)

    def open_invitation(
        self, client: Client | None = None, email: str = "new@example.org"
    ) -> tuple[Invitation, str]:
        return accounts.invite(
            clinic=self.clinic,
            email=email,
            by=self.admin,
            send=False,
            kind=User.Kind.CLIENT if client else User.Kind.STAFF,
            roles=[] if client else ["therapist"],
            client=client,
        )


def routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = ""
) -> Iterator[str]:
    """Every route the site serves, as its pattern ("clients/<int:client_id>/")."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from routes(pattern.url_patterns, route)
        else:
            yield route
