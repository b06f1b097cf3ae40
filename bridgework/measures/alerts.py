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

What they are told: a fixed sentence and a link to the client page. No name (an inbox on a
shared screen, or a colleague's forward, must not tie a person to "needs attention"), no
instrument, no score, no wording. The one repeat possible is the prompts' one: a worker dying
after the mail server accepted the message and before recording it; and a flag acknowledged
while its message is already with the mail server is still told.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from bridgework.accounts.models import Clinic
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed
from bridgework.lib import leases
from bridgework.measures.models import Flag, FlagNotice

log = logging.getLogger("bridgework.worker")

TOLD = (Flag.Kind.RISK,)  # flags that reach people at once; the others wait on the page
# Few a round: each message may wait EMAIL_TIMEOUT on a slow mail server, and the batch must
# be sent before the worker's lease runs out (or another worker would send it again).
BATCH = 5

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
    flag = notice.flag
    # Read again now, not when the batch was claimed: an acknowledgement since then counts.
    if Flag.objects.filter(pk=flag.pk, acknowledged_at__isnull=False).exists():
        finish(worker, notice, State.CANCELLED, "acknowledged before it was sent", now)
        return
    recipients = recipients_of(notice)
    if not recipients and notice.audience == DUTY_CONTACT:
        finish(worker, notice, State.CANCELLED, "the clinic has no duty contact", now)
        return
    if not recipients:
        finish(worker, notice, State.FAILED, "nobody on the care team can be e-mailed", now)
        return
    subject, body = message(notice)
    try:
        send_mail(subject, body, None, recipients)
    except Exception as error:  # any failure is a try to repeat, never a stopped worker
        log.warning("flag notice %s: e-mail failed with %s", notice.pk, type(error).__name__)
        retry_later(worker, notice, f"E-mail not accepted: {type(error).__name__}", now)
        return
    finish(
        worker,
        notice,
        State.SENT,
        f"accepted by the mail server ({len(recipients)} addresses)",
        now,
    )


def recipients_of(notice: FlagNotice) -> list[str]:
    """The addresses as they are now (a care team may have changed since the flag)."""
    client = notice.flag.client
    if notice.audience == DUTY_CONTACT:
        return [client.clinic.duty_contact_email] if client.clinic.duty_contact_email else []
    return sorted(client.care_team.filter(is_active=True).values_list("email", flat=True))


def link(flag: Flag) -> str:
    # The client's id in the path, as on every page; the flag's in the fragment, which
    # browsers never send to the server.
    return f"{settings.SITE_URL}/clients/{flag.client_id}/#flag-{flag.pk}"


def message(notice: FlagNotice) -> tuple[str, str]:
    """Subject and body: the same fixed words for every flag, and the link."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = _("Something needs your attention in Bridgework")
        if notice.audience == DUTY_CONTACT:
            lead = _(
                "Something needs your attention in Bridgework. You are the clinic's duty "
                "contact: nobody on the care team has acknowledged it in the time the clinic "
                "set. Please sign in and look at it, or reach the care team, as soon as you can:"
            )
        else:
            lead = _(
                "Something needs your attention in Bridgework. Please sign in and look at it "
                "as soon as you can:"
            )
        body = _("Hello,\n\n%(lead)s\n\n%(link)s\n\n— Bridgework") % {
            "lead": lead,
            "link": link(notice.flag),
        }
    return str(subject), body


def retry_later(worker: str, notice: FlagNotice, reason: str, now: datetime) -> None:
    """A failed try: again after a growing pause, or failed for good after the last try."""
    attempts = notice.attempts + 1
    if attempts >= settings.PROMPT_MAX_ATTEMPTS:
        finish(worker, notice, State.FAILED, reason, now, attempts=attempts)
        return
    FlagNotice.objects.filter(pk=notice.pk, claimed_by=worker, state=State.SENDING).update(
        state=State.WAITING,
        attempts=attempts,
        lease_until=None,
        next_attempt_at=now + leases.pause_after(attempts),
        detail=reason[:300],
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
    fields: dict[str, object] = {"attempts": attempts} if attempts is not None else {}
    if state == State.SENT:
        fields["sent_at"] = now
    moved = FlagNotice.objects.filter(pk=notice.pk, claimed_by=worker, state=State.SENDING).update(
        state=state, lease_until=None, detail=detail[:300], **fields
    )
    if not moved:
        return False
    client = notice.flag.client
    if state in (State.SENT, State.FAILED):  # a message about a client went out, or could not
        changed(
            None,
            AccessEvent.Action.CHANGE,
            "flag-notice",
            notice.pk,
            clinic_id=client.clinic_id,
            client_id=client.pk,
        )
    if state == State.FAILED and notice.audience == CARE_TEAM:
        FlagNotice.objects.filter(
            flag_id=notice.flag_id, audience=DUTY_CONTACT, state=State.WAITING
        ).update(next_attempt_at=now)
    return True
