"""The identifiers a record arrived with from another system (another clinic, another
Bridgework), so that importing the same Bundle again finds the records it made the first time
instead of making them twice. Written only by `load.links`, inside an import's transaction."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from bridgework.accounts.models import Clinic
from bridgework.care.models import Client


class Link(models.Model):
    audit_name = "fhir-link"
    audit_values = ("kind",)

    class Kind(models.TextChoices):
        CLIENT = "client", "client"
        GOAL = "goal", "goal"
        SESSION = "session", "session"
        PLAN = "plan", "plan"
        RESPONSE = "response", "response"

    clinic = models.ForeignKey(Clinic, on_delete=models.CASCADE, related_name="+")
    # The client the record belongs to: erasing the client erases their links too.
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    system = models.CharField(max_length=255)  # the identifier's system, a URI
    value = models.CharField(max_length=64)
    object_id = models.PositiveBigIntegerField()  # the record made here
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "kind", "system", "value"], name="one_link_per_identifier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.system}|{self.value}"
