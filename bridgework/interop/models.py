"""Personal access tokens for the REST API, and the count of each token's requests per minute.

A token is its owner's key to the API: whatever it does, it does as them, through the same
doors and actions as their pages, narrowed to the areas and the access (read, or read and
write) they chose. Only the secret's SHA-256 is stored (lib.tokens): the secret itself is shown
once, on the page right after it was made.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Clinic, User


class Area(models.TextChoices):
    """What part of a record a token may reach; each API route belongs to one."""

    CLIENTS = "clients", _("Clients, goals and therapy sessions")
    PLANS = "plans", _("Action plans")
    PRACTICE = "practice", _("Practice logs and check-ins")
    MEASURES = "measures", _("Questionnaires and responses")
    PROMPTS = "prompts", _("Reminders and schedules")
    FLAGS = "flags", _("Flags")
    # A whole record at once (FHIR export and import): more than any one area above, so a
    # token must be given it on purpose.
    RECORDS = "records", _("Whole records as FHIR (export, and import for clinic admins)")


class AccessToken(models.Model):
    audit_name = "access-token"
    # The areas are codes (Area), so the trail may keep them; the name is the person's words.
    audit_values = ("areas",)

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    # The owner's clinic, kept on the token so a clinic admin's list needs no join through
    # the accounts (and a token never moves between clinics).
    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(_("name"), max_length=80)
    secret_hash = models.CharField(max_length=64, unique=True)
    can_write = models.BooleanField(_("may change records"), default=False)
    areas = models.JSONField(default=list)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"access token {self.pk} of user {self.owner_id}"

    @property
    def last_day(self) -> date:
        """The last day it works, as its owner chose it: it stops at the start of the next day
        in the clinic's time zone, which is the zone staff pages are shown in."""
        return timezone.localtime(self.expires_at - timedelta(microseconds=1)).date()

    def is_usable(self, now: datetime) -> bool:
        return self.revoked_at is None and self.expires_at > now

    def reaches(self, area: str, *, write: bool) -> bool:
        return area in self.areas and (self.can_write or not write)


class RequestCount(models.Model):
    """How many requests a token made in one minute (the rate limit). Counted in the database:
    Bridgework runs no cache server, and several web processes must share the count."""

    token = models.ForeignKey(AccessToken, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    requests = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "minute"], name="interop_one_count_a_minute")
        ]

    def __str__(self) -> str:
        return f"{self.requests} requests of token {self.token_id} at {self.minute}"
