"""Records answers the trail's question (audit.hooks.read_only_because): is this client's
record kept read-only, and what to tell whoever tried to change it.

Kept read-only: while a legal hold is in force, and while an erasure request waits for the
clinic's retention period to end (the client left therapy; erasing them is decided, only the
law's period stands in the way). A request waiting while therapy goes on keeps nothing
read-only: the care team must still be able to end it. Always allowed, hold or not: records'
own changes (placing and releasing holds, recording and carrying out erasures), and what the
client may always do, whatever keeps their records — withdraw a consent, stop reminders,
forget a phone or a calendar address, reset a password, register or remove a passkey —
and the clinic's choice of the care team."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bridgework.care.models import Client
from bridgework.records import actions
from bridgework.records.models import ErasureRequest, LegalHold

# Who may open the record (its care team) is not the record: a held client's record must be
# handed on when their therapist leaves. Nor is the way in: a held client may still reset a
# password and remove the passkey of a lost phone (a hold may last years).
ALWAYS_ALLOWED = frozenset(
    {
        "legal-hold",
        "erasure-request",
        "consent",
        "push-subscription",
        "calendar-feed",
        "care-team",
        "password",
        "password-reset",
        "passkey",
        "second-factor",
    }
)


def why(client_id: int, object_type: str, actor_role: str) -> str | None:
    """One query for a client nothing keeps (the common case); the details only when found."""
    if object_type in ALWAYS_ALLOWED:
        return None
    # Any time zone's today is at least UTC's yesterday: holds_in_force decides exactly.
    since = timezone.now().date() - timedelta(days=1)
    held = LegalHold.objects.filter(client=OuterRef("pk"), released_at=None, ends_on__gte=since)
    waiting = ErasureRequest.objects.filter(
        client=OuterRef("pk"), state=ErasureRequest.State.WAITING
    )
    # Ending therapy (or taking it up again) is what starts the retention a request waits
    # for, so a waiting request never stops it; and the trail asks after the change, when
    # the client's row already says "discharged". Only a hold keeps the client's row.
    kept = Q(Exists(held))
    if object_type != "client":
        kept |= Q(Exists(waiting), discharged_at__isnull=False)
    client = Client.objects.filter(pk=client_id).filter(kept).select_related("clinic").first()
    return None if client is None else kept_because(client, actor_role, object_type)


def kept_because(client: Client, actor_role: str, object_type: str) -> str | None:
    staff = staff_message(client, holds_only=object_type == "client")
    if staff is None or actor_role != "staff":
        return staff and _(
            "Your records are being kept just as they are for now, so nothing can be added or "
            "changed. Your therapist or the clinic can tell you more."
        )
    return staff


def staff_message(client: Client, *, holds_only: bool = False) -> str | None:
    holds = actions.holds_in_force(client)
    if holds:
        hold = holds[-1]  # the one that ends last
        return _("Kept read-only: legal hold until %(day)s (%(reason)s).") % {
            "day": date_format(hold.ends_on),
            "reason": hold.reason,
        }
    if holds_only:
        return None
    ends = actions.retention_ends(client)
    waits = client.erasure_requests.filter(state=ErasureRequest.State.WAITING).exists()
    if waits and ends is not None and actions.today_for(client) < ends:
        return _(
            "Kept read-only: an erasure request waits until the retention period ends on %(day)s."
        ) % {"day": date_format(ends)}
    return None
