"""What an import did: which resources made records, changed them, found them as they were,
and which it did not take, each with the reason (nothing is dropped unsaid)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class NotImported:
    resource_type: str
    resource_id: str
    reason: str

    def __str__(self) -> str:
        return f"{self.resource_type}/{self.resource_id}: {self.reason}"


@dataclass
class ImportReport:
    client_id: int = 0  # the client's record here, once the Patient is taken
    created: list[str] = field(default_factory=list)  # "Goal/<id in the Bundle>"
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    # Observations of scores: computed again here from the answers imported.
    derived: list[str] = field(default_factory=list)
    not_imported: list[NotImported] = field(default_factory=list)

    def skip(self, resource: dict[str, object], reason: str) -> None:
        kind, rid = str(resource.get("resourceType")), str(resource.get("id", ""))
        self.not_imported.append(NotImported(kind, rid, reason))

    def as_dict(self) -> dict[str, object]:
        return {
            "client": self.client_id,
            "created": self.created,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "derived": self.derived,
            "not_imported": [
                {"resourceType": n.resource_type, "id": n.resource_id, "reason": n.reason}
                for n in self.not_imported
            ],
        }
