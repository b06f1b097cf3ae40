"""Writing and checking the audit trail. The only code that adds AccessEvent rows."""

from __future__ import annotations

import copy
import functools
import uuid
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from types import MappingProxyType
from typing import Any, NamedTuple, cast

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.functional import LazyObject, empty

from bridgework.audit import context, readonly
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
    changes: Mapping[str, Any] | None = None,
) -> AccessEvent:
    """Append one event to its chain. With `defer` (the doors use it), the event waits for the
    end of the request; otherwise it joins the caller's transaction, so a change and its audit
    row commit or roll back together. `changes` (see `changed`) drops its empty parts."""
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
        via=context.via.get(),
        allowed=allowed,
        changes={key: part for key, part in (changes or {}).items() if part},
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


# Text, numbers and booleans go to the driver as they are; times and JSON through their field.
AS_IS = (models.CharField, models.IntegerField, models.BooleanField)
PREPARE = [(field.attname, None if isinstance(field, AS_IS) else field) for field in EVENT_FIELDS]


@functools.cache
def insert_statement(vendor: str, rows: int) -> str:
    """The INSERT of `rows` events, made once per database vendor and number of rows."""
    columns = ", ".join(connection.ops.quote_name(field.column) for field in EVENT_FIELDS)
    row = "(" + ", ".join(["%s"] * len(EVENT_FIELDS)) + ")"
    return f"INSERT INTO {EVENTS} ({columns}) VALUES {', '.join([row] * rows)} RETURNING id"  # noqa: S608


def insert(cursor: Any, events: list[AccessEvent]) -> None:
    cursor.execute(
        insert_statement(connection.vendor, len(events)),
        [
            getattr(event, name)
            if field is None
            else field.get_db_prep_save(getattr(event, name), connection)
            for event in events
            for name, field in PREPARE
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


def verify(using: str = "default") -> Iterator[BrokenLink]:
    """Yield the first broken link of every chain that has one, in the database `using` (the
    restore drill checks a restored copy)."""
    chains = set(ChainHead.objects.using(using).values_list("chain", flat=True))
    chains |= set(AccessEvent.objects.using(using).values_list("chain", flat=True).distinct())
    for chain in sorted(chains):
        broken = verify_chain(chain, using)
        if broken:
            yield broken


def verify_chain(chain: str, using: str = "default") -> BrokenLink | None:
    expected_seq, last_hash = 1, GENESIS
    rows = AccessEvent.objects.using(using).filter(chain=chain).order_by("seq")
    for event in rows.iterator(chunk_size=2000):
        if event.seq != expected_seq:
            return BrokenLink(chain, expected_seq, "missing (deleted)")
        if event.prev_hash != last_hash:
            return BrokenLink(chain, event.seq, "does not follow the row before it")
        if event.compute_hash() != event.hash:
            return BrokenLink(chain, event.seq, "its contents no longer match its hash (edited)")
        expected_seq, last_hash = expected_seq + 1, event.hash
    head = ChainHead.objects.using(using).filter(chain=chain).first()
    if head is None:
        return BrokenLink(chain, 1, "the chain's head is missing")
    if head.seq != expected_seq - 1 or head.hash != last_hash:
        return BrokenLink(
            chain, expected_seq, f"missing: the chain's head says it ends at #{head.seq}"
        )
    return None


# --- what an action changed --------------------------------------------------------------------
#
# An action's row says which fields it changed. Structured values (choices, booleans, numbers,
# dates, ids) are kept old and new; free text (a CharField or TextField without choices, JSON:
# a client's words, names, addresses, secrets) is named only. The trail is append-only and
# outlives the record, so nothing in it can ever be erased: the words stay in the record and
# its revisions, where erasing the record reaches them. A model keeps the values of text or
# JSON fields that hold only codes by naming them in `audit_values`, and names a structured
# field that must not be told (a diary entry's privacy) in `audit_names_only`.

Snapshot = Mapping[str, Any]
# `before` for an object that did not exist until this change.
NOTHING: Snapshot = MappingProxyType({})
NOT_LOADED = object()  # a field the object was loaded without (deferred)
STRUCTURED = (
    models.BooleanField,
    models.IntegerField,  # the small, big and positive ones too
    models.FloatField,
    models.DecimalField,
    models.DateField,  # and DateTimeField
    models.TimeField,
    models.DurationField,
    models.UUIDField,
    models.ForeignKey,  # and OneToOneField: the id
)


class Audited(NamedTuple):
    attname: str  # where the value sits on the object ("plan_id")
    name: str  # what the row calls it ("plan")
    keeps_value: bool


@functools.cache
def audited_fields(model: type[models.Model]) -> tuple[Audited, ...]:
    kept = set(getattr(model, "audit_values", ()))
    hidden = set(getattr(model, "audit_names_only", ()))
    return tuple(
        Audited(
            field.attname,
            field.name,
            (bool(field.choices) or isinstance(field, STRUCTURED) or field.name in kept)
            and field.name not in hidden,
        )
        for field in model._meta.concrete_fields
        if not field.primary_key
    )


def unwrap(obj: models.Model) -> models.Model:
    """The model behind a lazy stand-in (request.user is one, or two), whose fields the
    trail reads."""
    held: Any = obj
    while isinstance(held, LazyObject):
        stand_in: Any = held
        if stand_in._wrapped is empty:
            stand_in._setup()
        held = stand_in._wrapped
    return cast(models.Model, held)


def snapshot(obj: models.Model) -> Snapshot:
    """The object's fields as they are in memory, taken before an action changes them. Costs
    no query: a field the object was loaded without is left out."""
    obj = unwrap(obj)
    held = obj.__dict__
    return {
        field.attname: copy.deepcopy(held[field.attname])  # JSON may be changed in place
        if isinstance(held[field.attname], dict | list)
        else held[field.attname]
        for field in audited_fields(type(obj))
        if field.attname in held
    }


EMPTY: tuple[Any, ...] = (None, "", [], {})
AS_JSON = frozenset({str, int, bool, float, type(None)})


def difference(
    model: type[models.Model], old: Snapshot | None, new: Snapshot | None
) -> dict[str, Any]:
    """What changed from `old` to `new` (None: the object did not exist), as the row keeps it:
    {"values": {name: [old, new]}, "named": [name, ...]}."""
    values: dict[str, list[Any]] = {}
    named: list[str] = []
    for attname, name, keeps_value in audited_fields(model):
        was = None if old is None else old.get(attname, NOT_LOADED)
        now = None if new is None else new.get(attname, NOT_LOADED)
        if was is now or (was is not NOT_LOADED and now is not NOT_LOADED and was == now):
            continue
        if (old is None and now in EMPTY) or (new is None and was in EMPTY):
            continue  # a field left empty when the object was made, or empty when it went
        if keeps_value and was is not NOT_LOADED and now is not NOT_LOADED:
            values[name] = [plain(was), plain(now)]
        else:
            named.append(name)
    return {"values": values, "named": named}


def plain(value: Any) -> Any:
    """A value as JSON keeps it, so the row hashes the same before and after it is stored."""
    if type(value) in AS_JSON:
        return value
    if isinstance(value, Enum):
        value = value.value
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, datetime):
        if value.tzinfo is not UTC and timezone.is_aware(value):
            value = value.astimezone(UTC)
        return value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return duration_iso_string(value)
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): plain(item) for key, item in value.items()}
    raise TypeError(f"The audit trail keeps plain values only, not {type(value).__name__}")


def scope_of(obj: models.Model) -> tuple[int | None, int | None]:
    """The clinic and the client an object belongs to, from the object in memory: a model's
    own `audit_scope()`, else its client (and the client's clinic), else its clinic."""
    own = getattr(obj, "audit_scope", None)
    if own is not None:
        return cast(tuple[int | None, int | None], own())
    has_clinic, has_client = scope_fields(type(obj))
    held = cast(Any, obj)
    client_id = held.client_id if has_client else None
    if has_clinic:
        return held.clinic_id, client_id
    if has_client:
        return (held.client.clinic_id if client_id else None), client_id
    raise TypeError(f"{type(obj).__name__} belongs to no clinic or client: pass scope=")


@functools.cache
def scope_fields(model: type[models.Model]) -> tuple[bool, bool]:
    """Whether the model has a clinic field, and a client field."""
    names = {field.name for field in model._meta.concrete_fields}
    return "clinic" in names, "client" in names


def actor(by: object | None) -> dict[str, Any]:
    return {"actor_id": getattr(by, "pk", None), "actor_role": getattr(by, "kind", "system")}


def changed(
    by: object | None,
    action: str,
    obj: models.Model,
    *,
    before: Snapshot | None = None,
    object_type: str = "",
    object_id: object = None,
    scope: tuple[int | None, int | None] | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AccessEvent:
    """Record what an action function did to `obj`, and who did it (`by`: a user, or None
    for the system). A CREATE keeps the values the new object was given, a DELETE the values
    it had; a CHANGE compares the object with `before`, its snapshot taken before the change
    (NOTHING: it did not exist). `detail` adds structured facts that are not fields of the
    object (which review decision, how many rows went). The object's model says what the
    trail calls it (`audit_name`) and whose chain it joins; `object_type`, `object_id` and
    `scope` (clinic id, client id) override them."""
    obj = unwrap(obj)
    if action == AccessEvent.Action.CREATE:
        old, new = None, snapshot(obj)
    elif action == AccessEvent.Action.DELETE:
        old, new = before if before is not None else snapshot(obj), None
    elif before is None:
        raise TypeError("A change needs the snapshot taken before it (trail.snapshot).")
    else:
        old, new = (None if before is NOTHING else before), snapshot(obj)
    changes = difference(type(obj), old, new)
    clinic_id, client_id = scope if scope is not None else scope_of(obj)
    object_type = object_type or cast(Any, obj).audit_name
    # A person's change to a client whose record is kept read-only (a legal hold, an erasure
    # request waiting) is refused here and in `noted`, which every action's change passes:
    # `KeptReadOnly` rolls it back with its transaction (audit/readonly.py).
    readonly.check(action, client_id, object_type, actor(by)["actor_role"])
    return record(
        **actor(by),
        action=action,
        object_type=object_type,
        object_id=obj.pk if object_id is None else object_id,
        clinic_id=clinic_id,
        client_id=client_id,
        changes=changes | {"detail": plain(dict(detail or {}))},
    )


def noted(
    by: object | None,
    action: str,
    object_type: str,
    object_id: object,
    *,
    clinic_id: int | None,
    client_id: int | None = None,
    detail: Mapping[str, Any] | None = None,
) -> AccessEvent:
    """Record an action's event that is not a change of one object (a care team's members,
    every calendar address of a client): `detail` says what, in structured values only."""
    readonly.check(action, client_id, object_type, actor(by)["actor_role"])
    return record(
        **actor(by),
        action=action,
        object_type=object_type,
        object_id=object_id,
        clinic_id=clinic_id,
        client_id=client_id,
        changes={"detail": plain(dict(detail or {}))},
    )
