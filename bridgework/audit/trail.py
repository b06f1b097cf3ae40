"""Writing and checking the audit trail. The only code that adds AccessEvent rows."""

from __future__ import annotations

from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from bridgework.audit import context
from bridgework.audit.models import AccessEvent, ChainHead

GENESIS = "0" * 64

# Door events (reads, and refusals) of the request being served, written together when the
# response is ready (RequestIdMiddleware), so a request takes each chain's lock once. None
# outside a request: then every event is written at once.
pending: ContextVar[list[AccessEvent] | None] = ContextVar("pending_audit", default=None)


def chain_for(clinic_id: int | None, client_id: int | None = None) -> str:
    """Each client's events form their own chain, so clients never wait on each other's audit
    writes; events about no one client (a caseload, a roster) go to their clinic's chain."""
    if client_id:
        return f"client:{client_id}"
    return f"clinic:{clinic_id}" if clinic_id else "platform"


def record(
    *,
    actor_id: int | None,
    actor_role: str,
    action: str,
    object_type: str,
    object_id: object = "",
    clinic_id: int | None,
    client_id: int | None = None,
    allowed: bool = True,
    defer: bool = False,
) -> AccessEvent:
    """Append one event to its chain. With `defer` (the doors use it), the event waits for the
    end of the request; otherwise it joins the caller's transaction, so a change and its audit
    row commit or roll back together."""
    event = AccessEvent(
        chain=chain_for(clinic_id, client_id),
        at=timezone.now(),
        actor_id=actor_id,
        actor_role=actor_role,
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        clinic_id=clinic_id,
        client_id=client_id,
        request_id=context.request_id.get(),
        allowed=allowed,
    )
    waiting = pending.get()
    if defer and waiting is not None:
        waiting.append(event)
    elif waiting:
        # A change commits with its audit row; the request's earlier door events on the same
        # chain ride along in that transaction instead of taking the chain's lock again later.
        earlier = [other for other in waiting if other.chain == event.chain]
        waiting[:] = [other for other in waiting if other.chain != event.chain]
        append([*earlier, event])
    else:
        append([event])
    return event


def append(events: list[AccessEvent]) -> None:
    """Chain and store events, taking each chain's head lock once.

    Every request appends here, so this is written in SQL rather than through the ORM: three
    statements a chain (claim the sequence numbers, insert the rows, move the head) cost a
    fraction of the ORM's get_or_create/bulk_create/update, measured in bench/practice_log.py.
    """
    by_chain: dict[str, list[AccessEvent]] = {}
    for event in events:
        by_chain.setdefault(event.chain, []).append(event)
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        for chain, chained in sorted(by_chain.items()):  # a fixed order: no lock cycles
            seq, last = claim(cursor, chain, len(chained))
            for event in chained:
                seq += 1
                event.seq, event.prev_hash = seq, last
                event.hash = last = event.compute_hash()
            insert(cursor, chained)
            move_head = f"UPDATE {HEAD} SET hash = %s WHERE chain = %s"  # noqa: S608
            cursor.execute(move_head, [last, chain])


# Table and column names come from the models, never from input; every value is a parameter.
HEAD, EVENTS = ChainHead._meta.db_table, AccessEvent._meta.db_table
EVENT_FIELDS = [field for field in AccessEvent._meta.concrete_fields if not field.primary_key]


def claim(cursor: Any, chain: str, count: int) -> tuple[int, str]:
    """Lock the chain's head and reserve `count` numbers: returns the last number used before
    them and the hash of that row. Creates the head of a new chain."""
    for _attempt in range(2):
        cursor.execute(
            f"UPDATE {HEAD} SET seq = seq + %s WHERE chain = %s RETURNING seq, hash",  # noqa: S608
            [count, chain],
        )
        row = cursor.fetchone()
        if row is not None:
            return int(row[0]) - count, str(row[1])
        cursor.execute(
            f"INSERT INTO {HEAD} (chain, seq, hash) VALUES (%s, 0, %s) ON CONFLICT (chain) "  # noqa: S608
            "DO NOTHING",
            [chain, GENESIS],
        )
    raise RuntimeError(f"Could not lock the head of audit chain {chain}")


def insert(cursor: Any, events: list[AccessEvent]) -> None:
    columns = ", ".join(connection.ops.quote_name(field.column) for field in EVENT_FIELDS)
    row = "(" + ", ".join(["%s"] * len(EVENT_FIELDS)) + ")"
    cursor.execute(
        f"INSERT INTO {EVENTS} ({columns}) VALUES {', '.join([row] * len(events))} RETURNING id",  # noqa: S608
        [
            field.get_db_prep_save(getattr(event, field.attname), connection)
            for event in events
            for field in EVENT_FIELDS
        ],
    )
    for event, (pk,) in zip(events, cursor.fetchall(), strict=True):
        event.pk = pk
        event._state.adding = False


def flush() -> None:
    waiting = pending.get()
    if waiting:
        append(list(waiting))
        waiting.clear()


@dataclass(frozen=True)
class BrokenLink:
    chain: str
    seq: int
    reason: str

    def __str__(self) -> str:
        return f"chain {self.chain}, row #{self.seq}: {self.reason}"


def verify() -> Iterator[BrokenLink]:
    """Yield the first broken link of every chain that has one."""
    chains = set(ChainHead.objects.values_list("chain", flat=True))
    chains |= set(AccessEvent.objects.values_list("chain", flat=True).distinct())
    for chain in sorted(chains):
        broken = verify_chain(chain)
        if broken:
            yield broken


def verify_chain(chain: str) -> BrokenLink | None:
    expected_seq, last_hash = 1, GENESIS
    rows = AccessEvent.objects.filter(chain=chain).order_by("seq")
    for event in rows.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return BrokenLink(chain, expected_seq, "missing (deleted)")
        if event.prev_hash != last_hash:
            return BrokenLink(chain, event.seq, "does not follow the row before it")
        if event.compute_hash() != event.hash:
            return BrokenLink(chain, event.seq, "its contents no longer match its hash (edited)")
        expected_seq, last_hash = expected_seq + 1, event.hash
    head = ChainHead.objects.filter(chain=chain).first()
    if head is None:
        return BrokenLink(chain, 1, "the chain's head is missing")
    if head.seq != expected_seq - 1 or head.hash != last_hash:
        return BrokenLink(
            chain, expected_seq, f"missing: the chain's head says it ends at #{head.seq}"
        )
    return None


def changed(
    by: object | None,
    action: str,
    object_type: str,
    object_id: object,
    *,
    clinic_id: int | None,
    client_id: int | None = None,
) -> AccessEvent:
    """Record a change made by an action function: who (`by`, a user or None for the system)."""
    return record(
        actor_id=getattr(by, "pk", None),
        actor_role=getattr(by, "kind", "system"),
        action=action,
        object_type=object_type,
        object_id=object_id,
        clinic_id=clinic_id,
        client_id=client_id,
    )
