"""One import's state: the clinic and people, the Bundle's resources by reference, what each
resource became here, and the report."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import Model

from bridgework.accounts.models import Clinic, User
from bridgework.care.models import Client
from bridgework.interop.fhir.load.report import ImportReport

Resource = dict[str, Any]


@dataclass
class Intake:
    clinic: Clinic
    by: User
    therapist: User
    entries: list[Resource]
    report: ImportReport = field(default_factory=ImportReport)
    client: Client | None = None
    # What each of the Bundle's resources became here, by every name it may be referred by.
    made: dict[str, Model] = field(default_factory=dict)
    handled: set[int] = field(default_factory=set)  # resources taken (by id())
    full_urls: dict[int, str] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        self.full_urls = {
            id(entry["resource"]): str(entry["fullUrl"])
            for entry in self.entries
            if entry.get("fullUrl")
        }

    @property
    def resources(self) -> Iterator[Resource]:
        for entry in self.entries:
            yield entry["resource"]

    def of_type(self, resource_type: str) -> list[Resource]:
        return [r for r in self.resources if r.get("resourceType") == resource_type]

    def names_of(self, resource: Resource) -> list[str]:
        names = [f"{resource.get('resourceType')}/{resource.get('id')}"]
        names += [
            e["fullUrl"] for e in self.entries if e["resource"] is resource and e.get("fullUrl")
        ]
        return names

    def became(self, resource: Resource, record: Model) -> None:
        for name in self.names_of(resource):
            self.made[name] = record

    def record_for(self, reference: Any) -> Model | None:
        """The record made here from the resource `reference` (a Reference) points to."""
        if not isinstance(reference, dict):
            return None
        return self.made.get(str(reference.get("reference", "")))

    def label(self, resource: Resource) -> str:
        return f"{resource.get('resourceType')}/{resource.get('id', '')}"

    def outcome(self, resource: Resource, created: bool, changed: bool) -> None:
        self.handled.add(id(resource))
        report = self.report
        target = report.created if created else report.changed if changed else report.unchanged
        target.append(self.label(resource))

    def skip(self, resource: Resource, reason: str) -> None:
        self.handled.add(id(resource))
        self.report.skip(resource, reason)

    def checkpoint(self) -> Intake:
        """What the import knows now, to go back to when a part of it is rolled back."""
        return replace(
            self, report=copy.deepcopy(self.report), made=dict(self.made), handled=set(self.handled)
        )

    def restore(self, saved: Intake) -> None:
        self.report, self.made, self.handled = saved.report, saved.made, saved.handled
