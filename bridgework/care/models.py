"""Clients, their care teams, goals, therapy sessions and consents.

Everything here is client data: read it through care.access, change it through care.actions.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Clinic, User
from bridgework.lib.timezones import validate_time_zone


def new_pseudonym() -> str:
    # The id researchers see instead of a name: random, so it reveals nothing about the client.
    return "C-" + secrets.token_hex(5).upper()


class Client(models.Model):
    audit_name = "client"

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="clients")
    user = models.OneToOneField(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="client_record"
    )
    full_name = models.CharField(_("full name"), max_length=120)
    pseudonym = models.CharField(max_length=20, unique=True, default=new_pseudonym, editable=False)
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        blank=True,
        validators=[validate_time_zone],
        help_text=_("Leave empty to use the clinic's."),
    )
    care_team: models.ManyToManyField[User, CareTeamMembership] = models.ManyToManyField(
        User, through="CareTeamMembership", related_name="caseload", blank=True
    )
    created_at = models.DateTimeField(default=timezone.now)
    discharged_at = models.DateTimeField(null=True, blank=True)
    # A made-up client for a role-play (supervision's training scenarios): no person, no
    # account; kept out of the caseload, flags, exports and statistics of real clients.
    is_training = models.BooleanField(default=False)

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name

    @property
    def local_time_zone(self) -> str:
        return self.time_zone or self.clinic.time_zone

    def audit_scope(self) -> tuple[int | None, int | None]:
        """Events about a client join the client's own audit chain."""
        return self.clinic_id, self.pk


class CareTeamMembership(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="memberships")
    member = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "member"], name="unique_care_team_member")
        ]

    def __str__(self) -> str:
        return f"{self.member} cares for {self.client}"


class Goal(models.Model):
    """A therapy goal, in the client's own words."""

    audit_name = "goal"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(_("goal, in the client's words"), max_length=300)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    achieved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text


class TherapySession(models.Model):
    """One appointment (called TherapySession to keep clear of web sessions)."""

    audit_name = "session"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="sessions")
    therapist = models.ForeignKey(User, on_delete=models.PROTECT, related_name="therapy_sessions")
    number = models.PositiveIntegerField()
    starts_at = models.DateTimeField(_("date and time"))
    takeaway = models.TextField(
        _("what the client took away"),
        blank=True,
        max_length=2000,
        help_text=_("In the client's words, where possible. Plans can build on it."),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["client", "number"], name="unique_session_number")
        ]

    def __str__(self) -> str:
        return f"Session {self.number}"


class Consent(models.Model):
    """One grant of consent for one purpose; withdrawing it closes the row, history stays."""

    audit_name = "consent"

    class Purpose(models.TextChoices):
        REMINDERS_EMAIL = "reminders-email", _("Reminders by e-mail")
        REMINDERS_PUSH = "reminders-push", _("Reminders as phone notifications")
        REMINDERS_CALENDAR = "reminders-calendar", _("Reminders in my calendar")
        RESEARCH = "research", _("Research use of my pseudonymised data")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="consents")
    purpose = models.CharField(max_length=30, choices=Purpose.choices)
    given_at = models.DateTimeField(default=timezone.now)
    given_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["given_at", "id"]
        constraints = [
            # At most one open grant per purpose: the current state is never ambiguous.
            models.UniqueConstraint(
                fields=["client", "purpose"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_open_consent_per_purpose",
            )
        ]

    def __str__(self) -> str:
        return f"{self.purpose} consent"
