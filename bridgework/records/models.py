"""The clinic's retention policy, legal holds on a client's records, and erasure requests.

A hold's reason is about the client (a court case, an insurer's claim): client data, read
through records.access and changed through records.actions like the rest."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Clinic, User
from bridgework.care.models import Client

# Professional codes for psychotherapy records ask for ten years after the end of therapy
# (e.g. § 630f BGB in Germany); a clinic sets its own.
DEFAULT_RETENTION_YEARS = 10


class RetentionPolicy(models.Model):
    audit_name = "retention-policy"
    audit_values = ("years_after_therapy",)

    clinic = models.OneToOneField(Clinic, on_delete=models.CASCADE, related_name="retention")
    years_after_therapy = models.PositiveSmallIntegerField(
        _("years kept after the end of therapy"),
        default=DEFAULT_RETENTION_YEARS,
        validators=[MinValueValidator(1), MaxValueValidator(100)],
    )
    set_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.clinic}: {self.years_after_therapy} years"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.clinic_id, None


class LegalHold(models.Model):
    """Records the law (a court, an insurer, a complaint) requires kept until `ends_on`,
    whatever the retention policy or an erasure request says."""

    audit_name = "legal-hold"
    audit_values = ("ends_on",)

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="legal_holds")
    reason = models.CharField(_("reason"), max_length=300)
    ends_on = models.DateField(_("kept until"))
    set_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField(default=timezone.now)
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["ends_on", "pk"]

    def __str__(self) -> str:
        return f"hold on {self.client_id} until {self.ends_on}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.client.clinic_id, self.client_id


class ErasureRequest(models.Model):
    """A request to erase a client (GDPR Art. 17). It outlives the client it erased, without
    them: `client` is emptied by the erasure, and `counts` says how many rows of each kind
    went (numbers only, for the clinic's report)."""

    audit_name = "erasure-request"

    class From(models.TextChoices):
        CLIENT = "client", _("the client")
        CLINIC = "clinic", _("the clinic, on the client's behalf")

    class State(models.TextChoices):
        WAITING = "waiting", _("waiting")
        DONE = "done", _("erased")

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(
        Client, null=True, on_delete=models.SET_NULL, related_name="erasure_requests"
    )
    received_from = models.CharField(_("asked by"), max_length=10, choices=From.choices)
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    done_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"erasure request {self.pk} ({self.state})"

    def audit_scope(self) -> tuple[int | None, int | None]:
        return self.clinic_id, self.client_id


class ForgottenSession(models.Model):
    """A session an erased client's phone still carries, by the SHA-256 of its key and no
    more: no client, no clinic, no health data. The phone's next request with it is told to
    forget what it stored (records.middleware), then the row goes; unused, it goes when the
    session would have ended (records.worker)."""

    key_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"forgotten session until {self.expires_at:%Y-%m-%d}"
