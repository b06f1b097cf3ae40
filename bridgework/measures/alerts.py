"""A risk flag reaches a person: the care team is told at once, the duty contact if nobody
acknowledges it in time.

Raising a risk flag plans two notices in the same transaction: the care team's, due at once,
and the duty contact's, due after the clinic's `risk_escalation_hours` (counted from when the
flag was raised in Bridgework, not from a paper form's date). Acknowledging the flag cancels
every notice not sent yet. The worker sends due notices on the queue it uses for prompts
(lib.leases): two workers never hold the same notice, only the holder records its outcome,
a failed try comes back after a growing pause, and after PROMPT_MAX_ATTEMPTS tries the notice
has failed for good, which the flag shows. A care-team notice that failed for good brings the
duty contact's forward: nobody else knows yet.

Who is told: every active staff member on the client's care team (therapists, and a
supervisor the clinic put on the team). Supervisors who reach the client only by supervising
a therapist are not: the duty contact is the escalation. Staff have no push subscriptions
(those are clients' phones), so e-mail is the staff channel.

What they are told: a fixed sentence, the flag's reference (`Flag.reference`, "F-123", to
quote on the phone) and a link to the client page. No client's name (an inbox on a shared
screen, or a colleague's forward, must not tie a person to "needs attention"), no instrument,
no score, no wording. The duty contact, who may not be allowed to open the client's record,
also gets whom to call: the care team's names and sign-in addresses (staff, not health data),
and the clinic admin's page of the client's care team. Each message is in its reader's
language (`User.language`; a duty contact who is not a staff member's sign-in address reads
the site's): one message per language, and the addresses the mail server accepted are
recorded after each (`FlagNotice.told`), so a retry after a later message failed tells only
the others. The one repeat possible is the prompts' one: a worker dying after the mail server
accepted a message and before recording it; and a flag acknowledged while its message is
already with the mail server is still told.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import groupby

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridgework.accounts.models import Clinic, User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed, snapshot
from bridgework.care.models import Client
from bridgework.lib import leases
from bridgework.measures.models import Flag, FlagNotice

log = logging.getLogger("bridgework.worker")

TOLD = (Flag.Kind.RISK,)  # flags that reach people at once; the others wait on the page
# Few a round: each notice sends a message per language (two: settings.LANGUAGES), each may
# wait EMAIL_TIMEOUT (20 s) on a slow mail server, and the batch must be sent before the
# worker's two-minute lease runs out (or another worker would send it again): 2 × 2 × 20 s.
BATCH = 2

CARE_TEAM, DUTY_CONTACT = FlagNotice.Audience.CARE_TEAM, FlagNotice.Audience.DUTY_CONTACT
State = FlagNotice.State


def plan_notices(flag: Flag) -> None:
    """The flag's two notices: the care team now, the duty contact at the clinic's deadline.
    Whether the clinic has a duty contact is read when the deadline comes."""
    now = timezone.now()
    # Read from the table, not the client's cached clinic: the admin may just have changed it.
    hours = Clinic.objects.values_list("risk_escalation_hours", flat=True).get(
        pk=flag.client.clinic_id
    )
    deadline = now + timedelta(hours=hours)
    FlagNotice.objects.bulk_create(
        [
            FlagNotice(flag=flag, audience=CARE_TEAM, due_at=now, next_attempt_at=now),
            FlagNotice(flag=flag, audience=DUTY_CONTACT, due_at=deadline, next_attempt_at=deadline),
        ]
    )


def cancel_unsent(flag: Flag) -> int:
    """Someone acknowledged the flag: whoever has not been told yet need not be."""
    return FlagNotice.objects.filter(flag=flag, state=State.WAITING).update(
        state=State.CANCELLED, detail="acknowledged before it was sent"
    )


# --- the worker's part ------------------------------------------------------------------------


def send_due(
    worker: str, *, lease: timedelta, now: datetime | None = None, batch: int = BATCH
) -> int:
    """Claim and send one batch of due notices; returns how many were claimed."""
    now = now or timezone.now()
    due = Q(state=State.WAITING, next_attempt_at__lte=now) | Q(
        state=State.SENDING, lease_until__lt=now
    )
    ids = leases.claim(
        FlagNotice.objects.filter(due),
        worker=worker,
        until=now + lease,
        batch=batch,
        state=State.SENDING,
    )
    for notice in FlagNotice.objects.filter(pk__in=ids).select_related("flag__client__clinic"):
        deliver(worker, notice, now)
    return len(ids)


def deliver(worker: str, notice: FlagNotice, now: datetime) -> None:
    """Send a claimed notice to everyone not told yet, one message per language."""
    recipients = recipients_of(notice)
    not_sent = why_not_sent(notice, recipients)
    if not_sent is not None:
        finish(worker, notice, *not_sent, now)
        return
    try:
        send_each_language(worker, notice, [r for r in recipients if r.address not in notice.told])
    except Exception as error:  # any failure is a try to repeat, never a stopped worker
        log.warning("flag notice %s: e-mail failed with %s", notice.pk, type(error).__name__)
        retry_later(worker, notice, refusal(notice, error), now)
        return
    told = len(notice.told)
    finish(worker, notice, State.SENT, f"accepted by the mail server ({told} addresses)", now)


def why_not_sent(notice: FlagNotice, recipients: list[Recipient]) -> tuple[str, str] | None:
    """The outcome and reason when the notice is not to be sent (now or ever)."""
    # Read again now, not when the batch was claimed: an acknowledgement since then counts.
    if Flag.objects.filter(pk=notice.flag_id, acknowledged_at__isnull=False).exists():
        if notice.told:
            return (
                State.CANCELLED,
                f"acknowledged before the others were told ({told_count(notice)})",
            )
        return State.CANCELLED, "acknowledged before it was sent"
    if recipients or notice.told:
        return None
    if notice.audience == DUTY_CONTACT:
        return State.CANCELLED, "the clinic has no duty contact"
    return State.FAILED, "nobody on the care team can be e-mailed"


def told_count(notice: FlagNotice) -> str:
    return f"{len(notice.told)} addresses told"


def refusal(notice: FlagNotice, error: Exception) -> str:
    reason = f"E-mail not accepted: {type(error).__name__}"
    return f"{reason}; {told_count(notice)}" if notice.told else reason


@dataclass(frozen=True)
class Recipient:
    """Someone a notice goes to, and the language their message is written in."""

    address: str
    language: str
    name: str = ""


def recipients_of(notice: FlagNotice) -> list[Recipient]:
    """As they are now (a care team may have changed since the flag)."""
    client = notice.flag.client
    if notice.audience == DUTY_CONTACT:
        return duty_contact(client.clinic)
    return care_team(client)


def care_team(client: Client) -> list[Recipient]:
    members = client.care_team.filter(is_active=True).order_by("full_name", "email")
    return [
        Recipient(address, language, name)
        for address, language, name in members.values_list("email", "language", "full_name")
    ]


def duty_contact(clinic: Clinic) -> list[Recipient]:
    """The clinic's duty contact: in their own language if the address is a staff member's
    sign-in address at the clinic, else in the site's."""
    address = clinic.duty_contact_email
    if not address:
        return []
    staff = User.objects.filter(clinic=clinic, kind=User.Kind.STAFF, is_active=True)
    language = staff.filter(email__iexact=address).values_list("language", flat=True).first()
    return [Recipient(address, language or settings.LANGUAGE_CODE)]


def send_each_language(worker: str, notice: FlagNotice, pending: list[Recipient]) -> None:
    """One message per language, each group recorded as told once the mail server has it."""
    for language, group in groupby(sorted(pending, key=by_language), key=by_language):
        addresses = [recipient.address for recipient in group]
        subject, body = message(notice, language)
        send_mail(subject, body, None, addresses)
        record_told(worker, notice, addresses)


def by_language(recipient: Recipient) -> str:
    return recipient.language


def record_told(worker: str, notice: FlagNotice, addresses: list[str]) -> None:
    """Remember who has it, if this worker still holds the notice (else the holder decides)."""
    notice.told = sorted({*notice.told, *addresses})
    FlagNotice.objects.filter(pk=notice.pk, claimed_by=worker, state=State.SENDING).update(
        told=notice.told
    )


def link(flag: Flag) -> str:
    # The client's id in the path, as on every page; the flag's in the fragment, which
    # browsers never send to the server.
    return f"{settings.SITE_URL}/clients/{flag.client_id}/#flag-{flag.pk}"


def care_team_page(flag: Flag) -> str:
    """The clinic admin's page of the client: who is on the care team, and changing it."""
    return f"{settings.SITE_URL}/clinic/clients/{flag.client_id}/"


def message(notice: FlagNotice, language: str) -> tuple[str, str]:
    """Subject and body in `language`: fixed words, the reference and the links."""
    with translation.override(language):
        subject = str(_("Something needs your attention in Bridgework"))
        if notice.audience == DUTY_CONTACT:
            parts = for_the_duty_contact(notice.flag)
        else:
            parts = for_the_care_team(notice.flag)
        body = "\n\n".join([str(_("Hello,")), *parts, "— Bridgework"])
    return subject, body


def for_the_care_team(flag: Flag) -> list[str]:
    lead = _(
        "Something needs your attention in Bridgework. Please sign in and look at it as soon "
        "as you can:"
    )
    return [f"{lead}\n{link(flag)}", _("Reference: %(reference)s") % {"reference": flag.reference}]


def for_the_duty_contact(flag: Flag) -> list[str]:
    """Whom to call and what to quote, where the link may be refused to the reader."""
    lead = _(
        "Something needs your attention in Bridgework. You are the clinic's duty contact: "
        "nobody on the care team has acknowledged it in the time the clinic set. Please reach "
        "the care team as soon as you can and give them the reference %(reference)s."
    ) % {"reference": flag.reference}
    members = care_team(flag.client)
    team = [_("The care team:"), *(f"- {' '.join(m.name.split())} <{m.address}>" for m in members)]
    if not members:
        team = [_("Nobody on the care team can be e-mailed: please ask a clinic admin.")]
    record = _("If you may open this client's record, this link takes you to the flag:")
    admin = _("A clinic admin sees the care team, and can change it, here:")
    return [
        lead,
        "\n".join(team),
        f"{record}\n{link(flag)}",
        f"{admin}\n{care_team_page(flag)}",
    ]


def retry_later(worker: str, notice: FlagNotice, reason: str, now: datetime) -> None:
    leases.try_again_later(
        notice,
        worker=worker,
        reason=reason,
        now=now,
        give_up=lambda attempts: finish(
            worker, notice, State.FAILED, reason, now, attempts=attempts
        ),
    )


@transaction.atomic
def finish(
    worker: str,
    notice: FlagNotice,
    state: str,
    detail: str,
    now: datetime,
    *,
    attempts: int | None = None,
) -> bool:
    """Record a notice's outcome, if this worker still holds it (once, however many workers)."""
    was = snapshot(notice)
    more = {"attempts": attempts} if attempts is not None else {}
    if not leases.record_outcome(
        notice, worker=worker, state=state, detail=detail, now=now, **more
    ):
        return False
    client = notice.flag.client
    if state in (State.SENT, State.FAILED):  # a message about a client went out, or could not
        scope = (client.clinic_id, client.pk)
        changed(None, AccessEvent.Action.CHANGE, notice, before=was, scope=scope)
    if state == State.FAILED and notice.audience == CARE_TEAM:
        FlagNotice.objects.filter(
            flag_id=notice.flag_id, audience=DUTY_CONTACT, state=State.WAITING
        ).update(next_attempt_at=now)
    return True
