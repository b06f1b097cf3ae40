"""Supervision and training: competence ratings of a therapist's plan work in one therapy
session (real, or a role-play on a training client), and the training scenarios a
supervisor assigns.

A rating always rates a therapy session: a role-play is a session of a training client
(`care.Client.is_training`), so the same scale, page and agreement statistics serve both.
Ratings are read through supervision.access and changed through supervision.actions.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Clinic, User
from bridgework.care.models import Client, TherapySession
from bridgework.measures.models import Instrument
from bridgework.supervision import scenarios


class Assignment(models.Model):
    """A supervisor asks a trainee to practise one scenario of the library (by its slug,
    supervision/scenarios/<slug>.json). Attempts are its role-plays."""

    audit_name = "scenario-assignment"
    audit_values = ("scenario",)

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    scenario = models.SlugField(max_length=80)
    trainee = models.ForeignKey(User, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    note = models.TextField(_("note to the trainee"), blank=True, max_length=2000)
    assigned_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-assigned_at", "-id"]

    def __str__(self) -> str:
        return f"{self.scenario} for {self.trainee}"

    @property
    def scenario_title(self) -> str:
        """The scenario's title in the library; its slug if it has left the library since."""
        scenario = scenarios.get(self.scenario)
        return scenario.title if scenario is not None else self.scenario

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.clinic_id, None


class RolePlay(models.Model):
    """One attempt at an assigned scenario: a therapy session of a training client made for
    it (no real client's data), where the trainee uses the real plan editor."""

    audit_name = "role-play"
    audit_values = ("number",)

    assignment = models.ForeignKey(Assignment, on_delete=models.PROTECT, related_name="attempts")
    number = models.PositiveSmallIntegerField()  # 1, 2, … per assignment
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    session = models.OneToOneField(
        TherapySession, on_delete=models.PROTECT, related_name="role_play"
    )
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["assignment", "number"]
        constraints = [
            models.UniqueConstraint(fields=["assignment", "number"], name="one_attempt_number")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.client.clinic_id, self.client_id


class CompetenceRating(models.Model):
    """One rater's rating of one therapist's plan work in one session, on one competence
    scale (an instrument whose subjectType is Practitioner). A draft is the rater's alone;
    once submitted it is final, shown to the therapist rated, and counts for agreement."""

    audit_name = "competence-rating"
    # The item scores are codes about the therapist's work and are kept old and new; the
    # comments are free text about a client's session, named only (audit.trail).
    audit_values = ("answers", "scores")

    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="+")
    session = models.ForeignKey(
        TherapySession, on_delete=models.PROTECT, related_name="competence_ratings"
    )
    therapist = models.ForeignKey(User, on_delete=models.PROTECT, related_name="ratings_received")
    rater = models.ForeignKey(User, on_delete=models.PROTECT, related_name="ratings_given")
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField(default=dict, blank=True)  # {linkId: 0–6}
    comments = models.JSONField(default=dict, blank=True)  # {linkId: text}
    comment = models.TextField(_("overall comment"), blank=True, max_length=4000)
    scores = models.JSONField(default=dict, blank=True)  # as measures.Response.scores
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-session__starts_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["rater", "session", "instrument"], name="one_rating_per_rater_and_scale"
            )
        ]
        indexes = [
            models.Index(fields=["therapist", "state"], name="ratings_of_therapist"),
        ]

    def __str__(self) -> str:
        return f"competence rating ({self.state})"

    @property
    def is_self_rating(self) -> bool:
        return self.rater_id == self.therapist_id

    @property
    def rater_name(self) -> str:
        """Who rated, as every page names them: a self-rating is always labelled as one."""
        return gettext("Self-rating") if self.is_self_rating else self.rater.full_name

    @property
    def total(self) -> float | None:
        """The total score once submitted; None for a draft, or when too many items were
        left unrated to score it."""
        total = (self.scores or {}).get("total")
        value = total.get("value") if isinstance(total, dict) else None
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return value if number else None

    @property
    def total_prorated(self) -> bool:
        total = (self.scores or {}).get("total")
        return bool(isinstance(total, dict) and total.get("prorated"))

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.clinic_id, self.session.client_id
