"""Clinics (tenants), the people who sign in, and invitations."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.lib import leases
from bridgework.lib.timezones import validate_time_zone


class Approach(models.TextChoices):
    CBT = "cbt", _("Cognitive behavioural")
    PSYCHODYNAMIC = "psychodynamic", _("Psychodynamic")
    HUMANISTIC = "humanistic", _("Humanistic-experiential")
    INTEGRATIVE = "integrative", _("Integrative")


DEFAULT_CRISIS_RESOURCES = (
    "If you are in danger or might act on thoughts of harming yourself, call 999 (UK) or 112 "
    "(Europe) now, or go to the nearest emergency department.\n"
    "Samaritans, any time, free: 116 123.\n"
    "Text SHOUT to 85258 to talk to someone by text.\n"
    "You can also call your clinic and ask for your therapist or the duty clinician."
)

HOURS_TO_ESCALATION = _("Enter a whole number of hours from 1 to 24.")
DUTY_CONTACT_INVALID = _(
    "Enter an e-mail address such as duty@clinic.example, or leave this empty."
)


class Clinic(models.Model):
    audit_name = "clinic"
    audit_values = ("time_zone", "staff_second_factor", "default_language")

    name = models.CharField(_("name"), max_length=120)
    time_zone = models.CharField(
        _("time zone"), max_length=64, default="Europe/London", validators=[validate_time_zone]
    )
    # Empty means Bridgework's own term ("action plan"), shown in each client's language.
    action_plan_word = models.CharField(
        _("word for “action plan”"),
        max_length=40,
        blank=True,
        help_text=_(
            "What clients see, singular, e.g. “practice task”. Leave empty for "
            "“action plan” in each client's language."
        ),
    )
    action_plan_word_plural = models.CharField(
        _("plural"),
        max_length=40,
        blank=True,
        help_text=_("e.g. “practice tasks”."),
    )
    staff_mfa_required = models.BooleanField(
        _("staff need a second factor"),
        default=True,
        help_text=_("Staff confirm each sign-in with a code from an authenticator app."),
    )

    class SecondFactor(models.TextChoices):
        ANY = "any", _("an authenticator app or a passkey")
        PASSKEY = "passkey", _("a passkey only")

    staff_second_factor = models.CharField(
        _("which second factor staff use"),
        max_length=10,
        choices=SecondFactor.choices,
        default=SecondFactor.ANY,
        help_text=_(
            "When staff need a second factor: either kind, or only a passkey (a fingerprint, "
            "face or PIN on their own device, which a fake sign-in page cannot replay). Staff "
            "without a passkey register one at their next sign-in."
        ),
    )
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        _("staff idle timeout (minutes)"),
        default=30,
        validators=[MinValueValidator(5), MaxValueValidator(480)],
        help_text=_("Staff are signed out after this long without activity (5 to 480)."),
    )
    crisis_resources = models.TextField(
        _("crisis resources shown to clients"),
        default=DEFAULT_CRISIS_RESOURCES,
        help_text=_("Shown at once to a client whose answers suggest they may be at risk."),
    )
    non_engagement_reviews = models.PositiveSmallIntegerField(
        _("flag non-engagement after this many reviews"),
        default=2,
        validators=[MinValueValidator(2), MaxValueValidator(6)],
        help_text=_(
            "Consecutive reviews of plans done little or not at all, with low sense of "
            "the reason or fit with goals (three reviews of plans not done at all flag "
            "too). The flag invites the therapist to explore task fit and the alliance."
        ),
    )
    silence_days = models.PositiveSmallIntegerField(
        _("flag when no reminder is answered for this many days"),
        default=5,
        validators=[MinValueValidator(2), MaxValueValidator(30)],
    )
    risk_escalation_hours = models.PositiveSmallIntegerField(
        _("tell the duty contact after this many hours"),
        default=4,
        validators=[
            MinValueValidator(1, HOURS_TO_ESCALATION),
            MaxValueValidator(24, HOURS_TO_ESCALATION),
        ],
        help_text=_(
            "A risk flag is e-mailed to the client's care team at once. If nobody has "
            "acknowledged it after this many hours (1 to 24), the duty contact is told too."
        ),
    )
    duty_contact_email = models.EmailField(
        _("duty contact's e-mail"),
        blank=True,
        error_messages={"invalid": DUTY_CONTACT_INVALID},
        help_text=_(
            "Who is told when a risk flag waits unacknowledged, e.g. the duty clinician's "
            "shared inbox. The message says only that something needs attention, with a link. "
            "Leave empty to tell nobody beyond the care team."
        ),
    )
    # Each person then chooses their own (staff in Your settings, clients in Settings).
    default_language = models.CharField(
        _("default language"),
        max_length=10,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_(
            "The language of new staff and clients' pages and e-mails, until they choose their own."
        ),
    )
    is_demo = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    def __str__(self) -> str:
        return self.name

    @property
    def plan_word(self) -> str:
        return self.action_plan_word or str(_("action plan"))

    @property
    def plan_word_plural(self) -> str:
        return self.action_plan_word_plural or str(_("action plans"))

    @property
    def idle_timeout(self) -> timedelta:
        return timedelta(minutes=self.idle_timeout_minutes)

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.pk, None


class UserManager(BaseUserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=normalize_email(username or ""))

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> User:
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user


def normalize_email(email: str) -> str:
    # E-mail addresses are compared case-insensitively everywhere; store them lower-cased.
    return email.strip().lower()


class User(AbstractBaseUser):
    """Anyone who signs in: staff of a clinic (with one or more roles) or a client."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Staff")
        CLIENT = "client", _("Client")

    email = models.EmailField(_("e-mail"), unique=True)
    full_name = models.CharField(_("full name"), max_length=120)
    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="people")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    is_clinic_admin = models.BooleanField(_("clinic admin"), default=False)
    is_therapist = models.BooleanField(_("therapist"), default=False)
    is_supervisor = models.BooleanField(_("supervisor"), default=False)
    is_researcher = models.BooleanField(_("researcher"), default=False)
    approach = models.CharField(
        _("therapy approach"), max_length=20, choices=Approach.choices, blank=True
    )
    language = models.CharField(_("language"), max_length=10, default="en")
    is_active = models.BooleanField(default=True)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]
    audit_values = ("language",)

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_staff_member(self) -> bool:
        return self.kind == self.Kind.STAFF

    @property
    def is_client(self) -> bool:
        return self.kind == self.Kind.CLIENT

    @property
    def roles(self) -> list[str]:
        return [role for role in STAFF_ROLES if getattr(self, f"is_{role}")]

    @property
    def audit_name(self) -> str:
        """What the audit trail calls this account: "staff" or "client"."""
        return self.kind


# The staff roles, in the order they are shown. Each is a boolean field `is_<role>` on User.
STAFF_ROLES = ("clinic_admin", "therapist", "supervisor", "researcher")


class Supervision(models.Model):
    """A supervisor oversees a supervisee's action-plan work (read-only)."""

    supervisor = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervisions")
    supervisee = models.ForeignKey(User, on_delete=models.CASCADE, related_name="supervised_by")
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supervisor", "supervisee"], name="unique_supervision")
        ]

    def __str__(self) -> str:
        return f"{self.supervisor} supervises {self.supervisee}"


class Invitation(models.Model):
    """A single-use, expiring, revocable link that creates a staff or client account."""

    audit_name = "invitation"
    audit_values = ("roles",)

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    kind = models.CharField(max_length=10, choices=User.Kind.choices)
    roles = models.JSONField(default=list, blank=True)  # staff roles granted on acceptance
    client = models.ForeignKey(
        "care.Client", null=True, blank=True, on_delete=models.CASCADE, related_name="invitations"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(null=True, blank=True)
    renewal_requested_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Invitation for {self.email}"

    class State(models.TextChoices):
        OPEN = "open", _("open")
        ACCEPTED = "accepted", _("accepted")
        REVOKED = "revoked", _("withdrawn")
        EXPIRED = "expired", _("expired")

    @property
    def state(self) -> Invitation.State:
        if self.accepted_at:
            return self.State.ACCEPTED
        if self.revoked_at:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.OPEN


class PasswordReset(models.Model):
    """A single-use, expiring link to choose a new password; only its hash is stored.

    A link stops working once used, once expired, once a newer link is sent or the address on
    record changes (withdrawn), or once the password changes by any road (`password_stamp`)."""

    audit_name = "password-reset"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_resets")
    token_hash = models.CharField(max_length=64, unique=True)
    # The user's session hash when the link was sent: an HMAC of the password hash (Django
    # keeps the same value in every session), so any later password change shows as a mismatch.
    password_stamp = models.CharField(max_length=128)
    # The clinic admin who sent it, or None when the person asked on the sign-in page.
    sent_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Password reset for user {self.user_id}"

    class State(models.TextChoices):
        OPEN = "open", _("open")
        USED = "used", _("used")
        WITHDRAWN = "withdrawn", _("withdrawn")
        EXPIRED = "expired", _("expired")

    @property
    def state(self) -> PasswordReset.State:
        if self.used_at:
            return self.State.USED
        stale = self.password_stamp != self.user.get_session_auth_hash()
        if self.withdrawn_at or stale or not self.user.is_active:
            return self.State.WITHDRAWN
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.OPEN


class ThrottleHit(models.Model):
    """One counted attempt (a reset request, a wrong or used link) for throttling.

    `key` is an HMAC of the address or e-mail counted, so the table holds neither."""

    scope = models.CharField(max_length=20)
    key = models.CharField(max_length=64)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scope", "key", "at"], name="throttle_by_key")]

    def __str__(self) -> str:
        return f"{self.scope} at {self.at}"


class SignInChange(models.Model):
    """A clinic admin changed how someone signs in: the address, or the authenticator app.

    Read by accounts.recovery, so that no one admin takes every step of a take-over alone (an
    address they hold, a reset link to it, a new authenticator), and so that the notice of an
    authenticator reset also reaches an address changed away lately. The old address is kept
    for accounts.recovery.WINDOW only, then forgotten (the worker's housekeeping)."""

    class Kind(models.TextChoices):
        ADDRESS = "address", _("sign-in address")
        SECOND_FACTOR = "second-factor", _("authenticator app")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="sign_in_changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    changed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    old_email = models.EmailField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "changed_at"], name="sign_in_change_by_user")]

    def __str__(self) -> str:
        return f"{self.kind} of user {self.user_id} changed"


class AccountEmail(leases.Outgoing):
    """An e-mail about someone's sign-in, queued in the same transaction as the change it tells
    of and sent by the worker (accounts.mail, on the queue of lib.leases): it is retried when
    the mail server refuses it, and its outcome is recorded once and audited.

    No link is stored: a message carrying one (an invitation, a reset link) gets a new token
    when it is sent, and only that token's hash is kept, on the invitation or reset."""

    class Kind(models.TextChoices):
        INVITATION = "invitation", _("invitation")
        PASSWORD_RESET = "password-reset", _("link to choose a new password")
        ADDRESS_CHANGED = "address-changed", _("notice to the old address")
        SECOND_FACTOR_RESET = "second-factor-reset", _("notice that the authenticator was reset")

    class State(models.TextChoices):
        WAITING = "waiting", _("on its way")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be sent")
        CANCELLED = "cancelled", _("not sent")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    # Whom it is about: the account, or (for an invitation) the invitation.
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.CASCADE, related_name="account_emails"
    )
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    password_reset = models.ForeignKey(
        PasswordReset, null=True, blank=True, on_delete=models.CASCADE, related_name="emails"
    )
    # The address it goes to, emptied once it has gone or failed for good (it may be an old
    # address, which the account no longer holds).
    to = models.EmailField(blank=True)
    language = models.CharField(max_length=10)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=State.choices, default=State.WAITING)
    next_attempt_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="account_email_due")]

    def __str__(self) -> str:
        return f"{self.kind} e-mail ({self.state})"
