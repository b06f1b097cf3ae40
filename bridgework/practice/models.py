"""What clients do between sessions: practice logs (with worksheets), check-ins and their
0–100 ratings, and the check-in scales their therapist chose.

Client data: read through practice.access, change through practice.actions.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import User
from bridgework.care.models import Client
from bridgework.lib import choices
from bridgework.plans.models import ActionPlan
from bridgework.practice.worksheets import PRIVATE_ALLOWED

MAX_NOTE = 2000


class Outcome(models.TextChoices):
    DONE = "done", _("I did it")
    PARTLY = "partly", _("I did part of it")
    NOT_DONE = "not-done", _("I didn't do it")
    SOMETHING_ELSE = "something-else", _("I did something else")


class PracticeLog(models.Model):
    audit_name = "practice-log"
    audit_values = ("worksheet",)
    # The clinic admin reads the trail by client name: it must not tell which entries are private.
    audit_names_only = ("is_private",)

    # Made on the client's device: a resend of the same entry finds the first and adds nothing.
    uid = models.UUIDField(unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="practice_logs")
    plan = models.ForeignKey(
        ActionPlan, null=True, blank=True, on_delete=models.SET_NULL, related_name="practice_logs"
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    get_outcome_display = choices.display("outcome")  # pages name it by the dozen
    practiced_at = models.DateTimeField()
    duration_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(24 * 60)]
    )
    worksheet = models.CharField(max_length=40)
    worksheet_version = models.PositiveSmallIntegerField()
    entries = models.JSONField(default=dict, blank=True)
    obstacles_note = models.TextField(blank=True, max_length=MAX_NOTE)
    note = models.TextField(blank=True, max_length=MAX_NOTE)
    prompt = models.ForeignKey(
        "prompts.Prompt",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="practice_logs",
    )
    # A private free-diary entry: nobody but the client can open it or list it. The access
    # trail still notes that an entry was saved (and when its privacy changed), never its
    # words nor which way it went: practice.actions.
    is_private = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-practiced_at", "-id"]
        indexes = [
            models.Index(fields=["client", "-practiced_at"], name="log_by_client_time"),
            models.Index(fields=["plan", "-practiced_at"], name="log_by_plan_time"),
        ]

    def __str__(self) -> str:
        return f"practice log {self.uid}"

    @property
    def may_be_private(self) -> bool:
        return may_be_private(self.plan_id, self.worksheet)


def may_be_private(plan_id: int | None, worksheet: str) -> bool:
    """Only a diary entry may be kept from the care team; practice on a plan is shared."""
    return plan_id is None and worksheet == PRIVATE_ALLOWED


class CheckInScale(models.Model):
    """A 0–100 scale the therapist chose for this client's momentary check-ins."""

    audit_name = "check-in-scale"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="check_in_scales")
    name = models.CharField(_("scale"), max_length=60)
    low_anchor = models.CharField(_("0 means"), max_length=60, default="not at all")
    high_anchor = models.CharField(_("100 means"), max_length=60, default="extremely")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name

    @property
    def field_name(self) -> str:
        """The name of this scale's field on the check-in form."""
        return f"scale-{self.pk}"


class CheckIn(models.Model):
    audit_name = "check-in"

    uid = models.UUIDField(unique=True)
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="check_ins")
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    answered_at = models.DateTimeField()
    received_at = models.DateTimeField(default=timezone.now)
    prompt = models.ForeignKey(
        "prompts.Prompt", null=True, blank=True, on_delete=models.SET_NULL, related_name="check_ins"
    )

    class Meta:
        ordering = ["-answered_at", "-id"]
        indexes = [models.Index(fields=["client", "-answered_at"], name="checkin_by_client_time")]

    def __str__(self) -> str:
        return f"check-in {self.uid}"


class Rating(models.Model):
    """One 0–100 momentary rating on a named scale."""

    check_in = models.ForeignKey(CheckIn, on_delete=models.CASCADE, related_name="ratings")
    scale = models.ForeignKey(CheckInScale, on_delete=models.PROTECT, related_name="ratings")
    value = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(0), MaxValueValidator(100)]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_in", "scale"], name="one_rating_per_scale"),
            models.CheckConstraint(condition=models.Q(value__lte=100), name="rating_at_most_100"),
        ]

    def __str__(self) -> str:
        return f"{self.scale}: {self.value}"


def active_scales(client: Client) -> models.QuerySet[CheckInScale]:
    """The scales a client is asked about now (a client already opened through its door)."""
    return CheckInScale.objects.filter(client=client, is_active=True)
