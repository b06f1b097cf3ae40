"""Instruments (questionnaire definitions, versioned), responses with their scores, and flags
that need a clinician's attention.

Client data: read through measures.access, change through measures.actions.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Clinic, User
from bridgework.care.models import Client, TherapySession
from bridgework.lib import choices, leases


class Instrument(models.Model):
    """One version of a questionnaire. Shipped ones (clinic empty) come from
    measures/instruments/*.json; a clinic imports its own (e.g. a licensed scale)."""

    audit_name = "instrument"
    audit_values = ("slug", "version")

    class Rates(models.TextChoices):
        # FHIR Questionnaire.subjectType: a questionnaire a client answers, or a competence
        # scale a rater fills in about a therapist's work (supervision).
        CLIENT = "Patient", _("client")
        THERAPIST = "Practitioner", _("therapist")

    slug = models.SlugField(max_length=60)
    version = models.CharField(max_length=20)
    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.CASCADE, related_name="instruments"
    )
    title = models.CharField(max_length=200)
    definition = models.JSONField()
    rates = models.CharField(max_length=20, choices=Rates.choices, default=Rates.CLIENT)
    retired_at = models.DateTimeField(null=True, blank=True)
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["slug", "-imported_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "slug", "version"], name="unique_instrument_version"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"

    @staticmethod
    def rates_of(definition: dict[str, object]) -> str:
        subjects = definition.get("subjectType") or []
        therapist = isinstance(subjects, list) and Instrument.Rates.THERAPIST in subjects
        return Instrument.Rates.THERAPIST if therapist else Instrument.Rates.CLIENT


class Response(models.Model):
    """One completion, keeping the instrument version it answered and its scores."""

    audit_name = "response"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="responses")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="responses")
    session = models.ForeignKey(
        TherapySession, null=True, blank=True, on_delete=models.SET_NULL, related_name="responses"
    )
    answers = models.JSONField()  # {linkId: option value}
    scores = models.JSONField()  # {score id: {"value", "band", "above_cutoff", "prorated"}}
    completed_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-completed_at", "-id"]
        indexes = [models.Index(fields=["client", "-completed_at"], name="response_by_client")]

    def __str__(self) -> str:
        return f"{self.instrument.slug} response"

    def total(self) -> float | None:
        value = self.scores.get("total", {}).get("value")
        return None if value is None else float(value)


class Baseline(models.Model):
    """The response a client's course on one questionnaire is measured from, when their
    therapist marked one. Without it the first scored response is the baseline. Per slug, not
    per version: a new version of a questionnaire keeps the client's course going."""

    audit_name = "baseline"
    audit_values = ("slug",)

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="baselines")
    slug = models.SlugField(max_length=60)
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="+")
    marked_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "slug"], name="one_baseline_per_measure")
        ]

    def __str__(self) -> str:
        return f"{self.slug} baseline"


class Flag(models.Model):
    audit_name = "flag"

    class Kind(models.TextChoices):
        RISK = "risk", _("Risk")
        DETERIORATION = "deterioration", _("Reliable deterioration")
        NON_ENGAGEMENT = "non-engagement", _("Persistent non-engagement")
        SILENCE = "silence", _("No reminders answered")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="flags")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    get_kind_display = choices.display("kind")  # pages name it by the dozen
    text = models.CharField(max_length=500)
    response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.SET_NULL, related_name="flags"
    )
    raised_at = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.TextField(blank=True, max_length=2000)

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [models.Index(fields=["client", "acknowledged_at"], name="open_flags")]

    def __str__(self) -> str:
        return f"{self.kind} flag"

    @property
    def reference(self) -> str:
        """What messages about the flag call it, for people to quote to each other: no health
        data, and found again on the client page and in the flag history."""
        return f"F-{self.pk}"


class FlagNotice(leases.Outgoing):
    """Telling people that a flag waits: the client's care team at once, the clinic's duty
    contact if nobody has acknowledged the flag in time. One row per flag and audience, sent
    by the worker (measures.alerts, on the queue of lib.leases) and recorded once."""

    audit_name = "flag-notice"

    class Audience(models.TextChoices):
        CARE_TEAM = "care-team", _("care team")
        DUTY_CONTACT = "duty-contact", _("duty contact")

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("not sent")

    flag = models.ForeignKey(Flag, on_delete=models.CASCADE, related_name="notices")
    audience = models.CharField(max_length=20, choices=Audience.choices)
    get_audience_display = choices.display("audience")  # pages name it by the dozen
    state = models.CharField(max_length=20, choices=State.choices, default=State.WAITING)
    get_state_display = choices.display("state")  # pages name it by the dozen
    due_at = models.DateTimeField()  # at once for the care team; the deadline for the duty
    next_attempt_at = models.DateTimeField()  # due_at, then later after a failed try
    # The addresses the mail server has accepted it for, recorded after each message (one per
    # language), so a retry after a later message failed tells only the others.
    told = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["audience"]  # the care team before the duty contact
        constraints = [
            models.UniqueConstraint(fields=["flag", "audience"], name="one_notice_per_audience")
        ]
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notice_due")]

    def __str__(self) -> str:
        return f"{self.audience} notice ({self.state})"
