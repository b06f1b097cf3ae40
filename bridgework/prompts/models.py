"""Reminders and sampling moments: schedules (versioned), prompts with their life cycle,
and the channels' own records (push subscriptions, calendar feeds).

Client data: read through prompts.access, change through the action modules: prompts.schedules
(and its planner), .steps (the client's), .subscriptions (the channels) and .dispatch (the worker).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import User
from bridgework.care.models import Client
from bridgework.plans.models import ActionPlan


class Channel(models.TextChoices):
    IN_APP = "in-app", _("In the app")
    EMAIL = "email", _("E-mail")
    PUSH = "push", _("Phone notification")
    CALENDAR = "calendar", _("My calendar")


class Purpose(models.TextChoices):
    PRACTICE = "practice", _("Practice reminder")
    CHECK_IN = "check-in", _("Check-in")
    MEASURE = "measure", _("Questionnaires before the session")


class Schedule(models.Model):
    """When to prompt, for one plan (practice) or for check-ins. A change makes a new version;
    the old one is superseded and its future prompts are re-planned."""

    audit_name = "schedule"
    audit_values = ("rule", "channels")

    class Origin(models.TextChoices):
        """Who set the schedule up; its later versions keep it."""

        THERAPIST = "therapist", _("set on the reminders page")
        PLAN = "plan", _("designed with the plan")
        CLIENT = "client", _("added by the client")

    class Kind(models.TextChoices):
        FIXED = "fixed", _("Fixed times on chosen days")
        RELATIVE = "relative", _("After the session where the plan was set")
        RANDOM = "random", _("Random moments within a daily window")
        BEFORE_SESSION = "before-session", _("Before every booked session")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="schedules")
    plan = models.ForeignKey(
        ActionPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="schedules"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    version = models.PositiveIntegerField(default=1)
    # The rule, validated by prompts.rules.Rule: weekdays, times, offsets, window, samples…
    rule = models.JSONField()
    channels = models.JSONField(default=list)
    # A plan's designed schedule (PLAN) follows the plan's `reminders` (prompts.designed).
    origin = models.CharField(max_length=20, choices=Origin.choices, default=Origin.THERAPIST)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    superseded_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "superseded_at"], name="schedule_current")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} v{self.version}"

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None and self.ended_at is None


class Prompt(models.Model):
    audit_name = "prompt"

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        OPENED = "opened", _("opened")
        ANSWERED = "answered", _("answered")
        SNOOZED = "snoozed", _("snoozed")
        EXPIRED = "expired", _("expired")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="prompts")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="prompts")
    plan = models.ForeignKey(
        ActionPlan, null=True, blank=True, on_delete=models.CASCADE, related_name="prompts"
    )
    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    due_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    state = models.CharField(max_length=20, choices=State.choices, default=State.SCHEDULED)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField()  # due_at, then later after a failed try
    lease_until = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=80, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # When a worker began handing it to the e-mail or push service (committed before the
    # call): a worker that finds it set took over from one that died mid-send, and never
    # sends it a second time (prompts.dispatch.UNCONFIRMED).
    handed_over_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    failure = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "due_at"], name="one_prompt_per_moment")
        ]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="prompt_due"),
            models.Index(fields=["client", "due_at"], name="prompt_by_client"),
        ]

    def __str__(self) -> str:
        return f"prompt {self.pk} ({self.state})"


class PromptEvent(models.Model):
    """One step of a prompt's life cycle, with the reason when it failed."""

    prompt = models.ForeignKey(Prompt, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=20, choices=Prompt.State.choices)
    channel = models.CharField(max_length=20, blank=True)
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.state} at {self.at:%Y-%m-%d %H:%M}"


class PushSubscription(models.Model):
    audit_name = "push-subscription"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return "push subscription"


class CalendarFeed(models.Model):
    """A private, revocable calendar address; only the hash of its secret is stored."""

    audit_name = "calendar-feed"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="calendar_feeds")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return "calendar feed"
