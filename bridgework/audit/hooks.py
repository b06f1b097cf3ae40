"""What the audit trail asks the apps above it (lib.hooks)."""

from __future__ import annotations

from bridgework.lib.hooks import Hook

# Is this client's record kept read-only (a legal hold, an erasure request waiting), and if so
# what to tell whoever tried to change it? Asked with the client's id, the trail's name of the
# object changed and the actor's role; answered by records (records.readonly.why), which
# stands on the top floor and which no app below may import. None: the change may go ahead.
read_only_because: Hook[[int, str, str], str | None] = Hook(
    "is this client's record kept read-only, and why"
)
