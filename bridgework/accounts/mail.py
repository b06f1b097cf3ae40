"""Account e-mails go through a queue: invitations, reset links, the notice to the old address
of an address change, and the notice that an authenticator app was reset.

Each change queues its message in its own transaction (so a committed change always has its
message on the way, and a page never fails because the mail server does), and the worker
sends it (prompts.worker calls `send_due` each step) on the queue of lib.leases: two workers
never hold the same message, a refused try comes back after 2, 4, 8… minutes, after
PROMPT_MAX_ATTEMPTS tries it has failed for good, and only the holder records the outcome,
which is audited. The admin's pages show each message's state.

A link's secret is never stored, not even until the message goes: the token is made when
the message is sent, only its hash is kept (on the invitation or reset), and the link's
lifetime counts from then. A try the mail server refused leaves a hash nobody holds; the next
try makes another. The cost: should a worker die after the mail server took a message and
before recording it, the repeat carries a new link and the first one no longer works.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TypeVar

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from bridgework.accounts import emails, recovery
from bridgework.accounts.models import AccountEmail, Invitation, PasswordReset, User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import noted
from bridgework.lib import leases
from bridgework.lib.tokens import new_token, token_hash

log = logging.getLogger("bridgework.worker")

# Few a round: each message may wait EMAIL_TIMEOUT on a slow mail server, and the batch must
# be sent before the worker's lease runs out (or another worker would send it again).
BATCH = 5

Kind, State = AccountEmail.Kind, AccountEmail.State
# The links a message may carry, with what their e-mails show.
RESETS = PasswordReset.objects.select_related("user__clinic")
INVITATIONS = Invitation.objects.select_related("clinic")
# A link that was never sent may have passed its time waiting: it gets its full time when sent.


def about(user: User, kind: str, *, to: str, **links: object) -> AccountEmail:
    return AccountEmail.objects.create(
        kind=kind, clinic_id=user.clinic_id, user=user, to=to, language=user.language, **links
    )


def queue_password_reset(reset: PasswordReset) -> AccountEmail:
    return about(reset.user, Kind.PASSWORD_RESET, to=reset.user.email, password_reset=reset)


def queue_address_changed(user: User, *, old_address: str) -> AccountEmail:
    return about(user, Kind.ADDRESS_CHANGED, to=old_address)


def queue_second_factor_reset(user: User) -> list[AccountEmail]:
    """To the address on record, and to those it replaced lately (recovery.WINDOW): whoever
    really holds the account hears of it, even after someone moved it to their own address."""
    return [
        about(user, Kind.SECOND_FACTOR_RESET, to=address)
        for address in recovery.recent_addresses(user)
    ]


def queue_invitation(invitation: Invitation) -> AccountEmail:
    # The invitee has no language of their own yet: the clinic's default, which their
    # account will start with too (not the inviting admin's page's).
    return AccountEmail.objects.create(
        kind=Kind.INVITATION,
        clinic_id=invitation.clinic_id,
        invitation=invitation,
        to=invitation.email,
        language=invitation.clinic.default_language,
    )


# --- the worker's part ------------------------------------------------------------------------


def send_due(
    worker: str, *, lease: timedelta, now: datetime | None = None, batch: int = BATCH
) -> int:
    """Claim and send one batch of due messages; returns how many were claimed."""
    now = now or timezone.now()
    due = Q(state=State.WAITING, next_attempt_at__lte=now) | Q(
        state=State.SENDING, lease_until__lt=now
    )
    ids = leases.claim(
        AccountEmail.objects.filter(due),
        worker=worker,
        until=now + lease,
        batch=batch,
        state=State.SENDING,
    )
    claimed = AccountEmail.objects.filter(pk__in=ids).select_related(
        "clinic", "user__client_record", "invitation"
    )
    for email in claimed:
        deliver(worker, email, now)
    return len(ids)


def deliver(worker: str, email: AccountEmail, now: datetime) -> None:
    message = compose(email, now)
    if message is None:
        finish(worker, email, State.CANCELLED, "the link was used or replaced before it went", now)
        return
    try:
        message.send()
    except Exception as error:  # any failure is a try to repeat, never a stopped worker
        # The type only: an SMTP error's text may hold the address.
        log.warning("account e-mail %s: sending failed with %s", email.pk, type(error).__name__)
        retry_later(worker, email, f"E-mail not accepted: {type(error).__name__}", now)
        return
    finish(worker, email, State.SENT, "accepted by the mail server", now)


def compose(email: AccountEmail, now: datetime) -> EmailMessage | None:
    """The message, with a new link if it carries one; None when that link is no longer to be
    sent (used, replaced, withdrawn, or the account turned off since)."""
    to, language = email.to, email.language
    if email.password_reset_id is not None:  # a reset link
        lasts = timedelta(minutes=settings.PASSWORD_RESET_MINUTES)
        reset = new_link(RESETS, email.password_reset_id, lasts, now)
        return emails.password_reset(*reset, to=to, language=language) if reset else None
    if email.invitation_id is not None:  # an invitation
        lasts = timedelta(days=settings.INVITATION_DAYS)
        invitation = new_link(INVITATIONS, email.invitation_id, lasts, now)
        return emails.invitation(*invitation, to=to, language=language) if invitation else None
    if email.kind == Kind.ADDRESS_CHANGED:
        return emails.address_changed(email.clinic, to=to, language=language)
    return emails.second_factor_reset(email.clinic, to=to, language=language)


L = TypeVar("L", PasswordReset, Invitation)


@transaction.atomic
def new_link(links: QuerySet[L], pk: int, lasts: timedelta, now: datetime) -> tuple[L, str] | None:
    """A new token for a reset link or an invitation as its e-mail goes (only its hash kept,
    its time counted from now); None when it is no longer to be sent (used, withdrawn)."""
    link = links.select_for_update(of=("self",)).get(pk=pk)
    if link.state not in (link.State.OPEN, link.State.EXPIRED):
        return None
    token = new_token()
    link.token_hash, link.expires_at = token_hash(token), now + lasts
    link.save(update_fields=["token_hash", "expires_at"])
    return link, token


def retry_later(worker: str, email: AccountEmail, reason: str, now: datetime) -> None:
    leases.try_again_later(
        email,
        worker=worker,
        reason=reason,
        now=now,
        give_up=lambda attempts: finish(
            worker, email, State.FAILED, reason, now, attempts=attempts
        ),
    )


@transaction.atomic
def finish(
    worker: str,
    email: AccountEmail,
    state: str,
    detail: str,
    now: datetime,
    *,
    attempts: int | None = None,
) -> bool:
    """Record a message's outcome, if this worker still holds it (once, however many
    workers). Its address is forgotten: nothing more will go to it."""
    more = {"attempts": attempts} if attempts is not None else {}
    if not leases.record_outcome(
        email, worker=worker, state=state, detail=detail, now=now, to="", **more
    ):
        return False
    if state in (State.SENT, State.FAILED):
        noted(
            None,
            AccessEvent.Action.CHANGE,
            "account-email",
            email.pk,
            clinic_id=email.clinic_id,
            client_id=chain_of(email),
            detail={"state": str(state), "attempts": attempts},
        )
    return True


def chain_of(email: AccountEmail) -> int | None:
    """The client whose audit chain the outcome joins: a client's account or invitation."""
    if email.invitation is not None:
        return email.invitation.client_id
    record = getattr(email.user, "client_record", None)  # None for staff
    return getattr(record, "pk", None)
