"""Studies and their exports.

A study is set up by a clinic admin: what it is for, the period it covers, which clinics' data
and which tables it takes, and who may export it. Only clients with an open research consent
are in an export; each export records how many were in it and who is left out for having withdrawn.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Clinic, User


def new_pseudonym_key() -> str:
    # The study's own key for its pseudonyms (HMAC): the same client gets the same pseudonym
    # within a study and unrelated ones across studies. Never shown, never exported.
    return secrets.token_hex(32)


class Study(models.Model):
    audit_name = "study"
    # Table names are codes: the trail keeps which tables a change added or took away.
    audit_values = ("tables",)

    clinic = models.ForeignKey(Clinic, on_delete=models.PROTECT, related_name="studies")
    name = models.CharField(_("name"), max_length=120)
    purpose = models.TextField(_("purpose"))
    starts_on = models.DateField(_("data from"))
    ends_on = models.DateField(_("data until"))
    # Which clinics' clients are in the study (the admin's own clinic at least).
    clinics = models.ManyToManyField(Clinic, related_name="+", verbose_name=_("clinics"))
    # Names of the tables the study takes (research.export.tables.TABLES).
    tables = models.JSONField(_("tables"), default=list)
    include_free_text = models.BooleanField(_("include free text"), default=False)
    shift_dates = models.BooleanField(_("shift dates per client"), default=True)
    pseudonym_key = models.CharField(max_length=64, default=new_pseudonym_key, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at", "id"]
        verbose_name_plural = "studies"

    def __str__(self) -> str:
        return self.name


class StudyAccess(models.Model):
    """A researcher's access to one study; revoking it closes the row, history stays."""

    audit_name = "study-access"

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="accesses")
    researcher = models.ForeignKey(User, on_delete=models.CASCADE, related_name="study_accesses")
    granted_at = models.DateTimeField(default=timezone.now)
    granted_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["granted_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["study", "researcher"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_open_access_per_researcher",
            )
        ]

    def __str__(self) -> str:
        return f"Access of researcher {self.researcher_id} to study {self.study_id}"


class Export(models.Model):
    """One export of a study, made by the worker in the background and kept for a while."""

    audit_name = "study-export"
    audit_values = ("tables",)

    class Format(models.TextChoices):
        CSV = "csv", "CSV"
        PARQUET = "parquet", "Parquet"

    class State(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        RUNNING = "running", _("Being made")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    class ExpiredBecause(models.TextChoices):
        TIME = "time", _("its time was up")
        WITHDRAWAL = "withdrawal", _("a participant withdrew research consent")

    study = models.ForeignKey(Study, on_delete=models.CASCADE, related_name="exports")
    requested_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    format = models.CharField(max_length=10, choices=Format.choices)
    tables = models.JSONField(default=list)  # the study's tables when requested
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    # The worker's claim (as lib.leases): only the worker holding it may finish the export.
    claimed_by = models.CharField(max_length=80, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    # Tries so far (each claim is one, a worker that died too): an error on the server is
    # tried again after a pause (`next_attempt_at`) up to jobs.MAX_ATTEMPTS, then it fails.
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    # Progress, as the worker goes: tables done of all, rows written so far.
    tables_done = models.PositiveSmallIntegerField(default=0)
    rows_written = models.PositiveBigIntegerField(default=0)
    # Who was in it: a count, and the study pseudonyms of the clients left out because they
    # withdrew research consent since the study was set up and have none open now (as its
    # withdrawn.csv lists them: a withdrawal is listed in every later export, so no export
    # reads as if they were absent by chance).
    clients_included = models.PositiveIntegerField(default=0)
    withdrawn = models.JSONField(default=list)
    # Which clients a ready export holds, filled in the transaction that makes it ready: a
    # client who withdraws research consent later expires every export still holding them
    # (research.expiry), as the consent page promises. Bounded by the study's clients.
    included_clients = models.ManyToManyField("care.Client", related_name="+", blank=True)
    # Why an expired export's file was deleted early or on time (empty while not expired).
    expired_because = models.CharField(max_length=20, choices=ExpiredBecause.choices, blank=True)
    # The finished file (a zip of datapackage.json and one file per table), under
    # settings.RESEARCH_EXPORT_DIR; removed when the export expires.
    file_name = models.CharField(max_length=200, blank=True)
    file_size = models.PositiveBigIntegerField(default=0)
    # Why it failed, in words for the researcher: never client data.
    detail = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"Export {self.pk} of study {self.study_id}"
