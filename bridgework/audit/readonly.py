"""A client's record kept read-only: by a legal hold, or while an erasure request waits
(docs/erasure.md, "Held records are read-only").

Every change to client data is written to the trail by its action function, in the change's
own transaction (trail.changed or trail.noted; the doors' events go through trail.record and
are not checked). That is the one place every change already passes, so the check sits
there: a change to a client whose record is kept raises `KeptReadOnly`, which rolls the
change back with its transaction, before anything is committed. The pages answer it with
the message (bridgework.middleware.ReadOnlyMiddleware), the API with 409, the phone's sync
with a refusal the outbox shows. Reads (views, lists, exports) and the system's own steps
(the worker: `by=None`) are not changes a person makes and are not checked."""

from __future__ import annotations

from bridgework.audit.hooks import read_only_because

CHANGES = frozenset({"create", "change", "delete"})


class KeptReadOnly(Exception):
    """A change refused because the client's record is kept as it is; `message` is in the
    actor's words (staff: the hold's reason and end; the client: a kind sentence)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def why(client_id: int, *, object_type: str = "", actor_role: str = "staff") -> str | None:
    """Why this client's record is read-only, told to `actor_role`; None if it is not. For
    pages that show a banner or hide their editing buttons."""
    return read_only_because(client_id, object_type, actor_role)


def check(action: str, client_id: int | None, object_type: str, actor_role: str) -> None:
    """Refuse a person's change to a client whose record is kept read-only."""
    if action not in CHANGES or not client_id or actor_role == "system":
        return
    message = read_only_because(client_id, object_type, actor_role)
    if message:
        raise KeptReadOnly(message)
