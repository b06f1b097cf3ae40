"""Writing and checking the audit trail. The only code that adds AccessEvent rows."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from bridgework.audit import context
from bridgework.audit.models import AccessEvent, ChainHead

GENESIS = "0" * 64


def chain_for(clinic_id: int | None) -> str:
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
) -> AccessEvent:
    """Append one event to its clinic's chain. Joins the caller's transaction, if any, so a
    change and its audit row commit or roll back together."""
    chain = chain_for(clinic_id)
    with transaction.atomic():
        head, _ = ChainHead.objects.select_for_update().get_or_create(chain=chain)
        event = AccessEvent(
            chain=chain,
            seq=head.seq + 1,
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
            prev_hash=head.hash,
        )
        event.hash = event.compute_hash()
        event.save()
        ChainHead.objects.filter(pk=head.pk).update(seq=event.seq, hash=event.hash)
    return event


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
