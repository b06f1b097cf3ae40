"""The audit trail: one row per read or change of client data, chained by hashes.

Each clinic has its own chain (and the platform one for events outside any clinic), so
clinics never wait on each other's audit writes. Within a chain, rows are numbered without
gaps and each row carries the hash of the one before it: an edited row no longer matches its
hash, a deleted row leaves a gap, and a cut-off tail no longer matches the chain's head.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, NoReturn

from django.db import models
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AccessEventQuerySet(models.QuerySet["AccessEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit trail is append-only.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The audit trail is append-only.")


class AccessEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        LIST = "list", _("listed")
        CREATE = "create", _("created")
        CHANGE = "change", _("changed")
        DELETE = "delete", _("deleted")
        EXPORT = "export", _("exported")
        SIGN_IN = "sign-in", _("signed in")

    chain = models.CharField(max_length=40)
    seq = models.PositiveBigIntegerField()
    at = models.DateTimeField()
    # Plain ids rather than foreign keys: the trail must outlive the rows it speaks of.
    actor_id = models.BigIntegerField(null=True)
    actor_role = models.CharField(max_length=20, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64, blank=True)
    clinic_id = models.BigIntegerField(null=True)
    client_id = models.BigIntegerField(null=True)
    request_id = models.CharField(max_length=64, blank=True)
    allowed = models.BooleanField()
    # What a change changed (audit.trail.changed): {"values": {field: [old, new]}, "named":
    # [field, ...], "detail": {...}}. Structured values only; free text is named, never kept.
    changes = models.JSONField(default=dict, blank=True)
    # How the request was made when not in a signed-in browser: "token:<id>" for the REST API
    # with that personal access token (the actor is still the token's owner).
    via = models.CharField(max_length=40, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    objects = AccessEventQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_unique_chain_seq")
        ]
        # The admin's trail page (audit/reading.py) reads newest first by client, by person, by
        # action or by clinic alone, and the refusals: an index each, so no filter walks all of
        # a clinic's trail. Refusals are rare, so their index is small (partial).
        indexes = [
            models.Index(fields=["client_id", "at"], name="audit_by_client"),
            models.Index(fields=["clinic_id", "at"], name="audit_by_clinic"),
            models.Index(fields=["actor_id", "at"], name="audit_by_actor"),
            models.Index(fields=["clinic_id", "action", "at"], name="audit_by_action"),
            models.Index(
                fields=["clinic_id", "at"], condition=models.Q(allowed=False), name="audit_refused"
            ),
        ]

    def __str__(self) -> str:
        verdict = "allowed" if self.allowed else "refused"
        return (
            f"{self.chain}#{self.seq} {self.action} {self.object_type}:{self.object_id} {verdict}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("The audit trail is append-only: rows are never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit trail is append-only: rows are never deleted.")

    def contents(self) -> str:
        """The row's fields in a fixed order: what the hash covers. The changes come last and
        only when there are some, so rows written before they were recorded hash as they did; so
        does the way the request came (`via`)."""
        fields: list[Any] = [
            self.chain,
            self.seq,
            self.at.isoformat(),
            self.actor_id,
            self.actor_role,
            self.action,
            self.object_type,
            self.object_id,
            self.clinic_id,
            self.client_id,
            self.request_id,
            self.allowed,
            self.prev_hash,
        ]
        if self.changes:
            fields.append(self.changes)
        if self.via:
            fields.append({"via": self.via})
        return json.dumps(fields, separators=(",", ":"), sort_keys=True)

    def compute_hash(self) -> str:
        return hashlib.sha256(self.contents().encode()).hexdigest()


class ChainHead(models.Model):
    """The last row of each chain; locked while a row is added, so the chain never forks."""

    chain = models.CharField(max_length=40, unique=True)
    seq = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"{self.chain} at #{self.seq}"
