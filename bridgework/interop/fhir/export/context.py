"""What every resource of one export shares: the client, the mode, and how records are named
(ids, identifiers, references) in that mode."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bridgework.accounts.models import User
from bridgework.care.models import Client
from bridgework.interop.fhir import codes

Resource = dict[str, Any]


class Mode(enum.StrEnum):
    # For another clinic taking the client on: names and the clinic's identifiers.
    IDENTIFIED = "identified"
    # For research: no names, no e-mail, no record ids; the client's pseudonym instead.
    PSEUDONYMISED = "pseudonymised"


@dataclass(frozen=True)
class Context:
    client: Client
    mode: Mode
    # Every id made in this export, by kind and record: a record is named once as an entry
    # and again by every reference to it (the Patient by nearly every resource), and each
    # name is a uuid5 hash — a fifth of the export's time before they were kept.
    ids: dict[tuple[str, object], str] = field(default_factory=dict, compare=False, repr=False)

    @property
    def identified(self) -> bool:
        return self.mode is Mode.IDENTIFIED

    def id_of(self, kind: str, pk: object) -> str:
        known = self.ids.get((kind, pk))
        if known is None:
            # Pseudonymised ids are salted with the pseudonym: they match no identified export.
            salt = self.client.clinic_id if self.identified else self.client.pseudonym
            known = self.ids[kind, pk] = codes.entry_id(self.mode, salt, kind, pk)
        return known

    def ref(self, kind: str, pk: object) -> dict[str, str]:
        return {"reference": f"urn:uuid:{self.id_of(kind, pk)}"}

    @property
    def patient(self) -> dict[str, str]:
        return self.ref("client", self.client.pk)

    def identifiers(self, kind: str, pk: object) -> list[dict[str, str]]:
        """The record's identifier in its clinic; none in a pseudonymised export (a record
        id leads back to the clinic's database)."""
        if not self.identified:
            return []
        return [{"system": codes.clinic_system(self.client.clinic_id, kind), "value": str(pk)}]

    def who(self, user: User | None) -> dict[str, Any] | None:
        """A reference to the person who did something: the client, or a member of staff by
        their identifier (and name, when identified). None when nobody is known."""
        if user is None:
            return None
        if user.pk == self.client.user_id:
            return self.patient
        if self.identified:
            named = {"system": codes.staff_system(self.client.clinic_id), "value": str(user.pk)}
        else:
            named = {"system": codes.STAFF_PSEUDONYMS, "value": self.id_of("staff", user.pk)}
        found: dict[str, Any] = {"identifier": named}
        if self.identified:
            found["display"] = user.full_name
        return found

    def entry(self, kind: str, pk: object, resource: Resource) -> Resource:
        """`resource` with its id, and its identifiers where the export names them."""
        resource["id"] = self.id_of(kind, pk)
        return resource


def instant(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def pruned(resource: Resource) -> Resource:
    """Without empty elements: FHIR allows no empty strings, lists or objects."""
    return {key: value for key, value in resource.items() if value not in (None, "", [], {})}
