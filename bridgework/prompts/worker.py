"""The reminder worker: plans prompts ahead, claims due ones, sends them, records the outcome;
sends accounts' e-mails (invitations, reset links, sign-in notices: accounts.mail); and gives
the apps above it their turn in each round (prompts.signals): measures sends risk flags'
notices to the care team and duty contact there, all on the same queue (lib.leases) with the
same guarantee, and looks for clients fallen silent.

Delivery guarantee: every due prompt is resolved (sent, delivered in the app, failed or
cancelled, with the reason), its state moves on exactly once, and no message goes out twice.
Two workers never claim the same prompt at the same time (SKIP LOCKED / SQLite's write lock),
and only the worker holding a prompt may record its outcome. A worker that dies after claiming
leaves the prompt to be claimed again when its lease runs out (nothing is lost). A prompt for
the e-mail or push service is marked as being handed over (committed) before the service is
called, and its outcome is recorded right after, not with the batch: a worker that takes over
a prompt so marked — its worker died in between, a window of one message — records it as sent
but not confirmed (dispatch.UNCONFIRMED) instead of sending it again. bench/load.py kills a
worker under load and counts the hand-overs.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from datetime import timedelta
from typing import Any, cast

from django.db import InterfaceError, OperationalError, close_old_connections

from bridgework.accounts import mail as account_mail
from bridgework.accounts import recovery
from bridgework.care.actions import consents_given
from bridgework.prompts import dispatch, schedules, states
from bridgework.prompts.channels import SENDERS, ChannelError
from bridgework.prompts.models import Channel, Prompt
from bridgework.prompts.signals import worker_housekeeping, worker_step

log = logging.getLogger("bridgework.worker")


def deliver(worker: str, prompt: Prompt) -> tuple[str, str, str] | None:
    """Send one claimed prompt on the schedule's channels the client consents to *now* (a
    withdrawal since the schedule was set stops that channel at once). Returns its outcome, or
    None when it will be tried again."""
    schedule = prompt.schedule
    if not schedule.is_current or (prompt.plan and prompt.plan.status not in states.OPEN_PLAN):
        return Prompt.State.CANCELLED, "", "schedule or plan ended"
    pushed = [c for c in schedule.channels if c in SENDERS]
    if pushed:  # read now, not when the batch was claimed
        consented = consents_given(prompt.client)
        pushed = [c for c in pushed if states.CONSENT_FOR[c] in consented]
    if not pushed:
        return Prompt.State.DELIVERED, Channel.IN_APP, "in the app's list"
    if prompt.handed_over_at is not None:
        # The worker before died between handing it over and recording how that went.
        return Prompt.State.SENT, ",".join(pushed), dispatch.UNCONFIRMED
    if not dispatch.hand_over(worker, prompt):
        return None  # no longer ours: the worker holding it now decides
    accepted, refused = [], []
    for channel in pushed:
        try:
            accepted.append((channel, SENDERS[channel](prompt)))
        except ChannelError as error:
            refused.append(f"{channel}: {error}")
        except Exception as error:  # one broken channel must not stop the batch
            log.warning("prompt %s: %s failed with %s", prompt.pk, channel, type(error).__name__)
            refused.append(f"{channel}: failed ({type(error).__name__})")
    if not accepted:
        dispatch.retry_later(worker, prompt, "; ".join(refused))
        return None
    detail = "; ".join([f"{c}: {d}" for c, d in accepted] + refused)
    return Prompt.State.SENT, ",".join(c for c, _d in accepted), detail


class Worker:
    def __init__(
        self,
        *,
        name: str = "",
        batch: int = 200,
        lease: timedelta | None = None,
        idle: float = 5.0,
        plan_every: float = 60.0,
    ) -> None:
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"
        self.batch, self.lease = batch, lease or timedelta(minutes=2)
        self.idle, self.plan_every = idle, plan_every
        self.stopping = threading.Event()
        self.last_plan = float("-inf")

    def stop(self, *_args: Any) -> None:
        self.stopping.set()

    def step(self) -> int:
        """Let the apps above claim and send their batch (risk flags' notices), then send a
        batch of accounts' e-mails, then one of prompts; returns how many were claimed. A risk
        flag first, and neither a risk flag nor a reset link waits behind reminders."""
        theirs = worker_step.send(sender=Worker, worker=self.name, lease=self.lease)
        claimed = sum(cast(int, claimed) for _receiver, claimed in theirs)
        claimed += account_mail.send_due(self.name, lease=self.lease)
        return claimed + self.send_prompts()

    def send_prompts(self) -> int:
        ids = dispatch.claim(self.name, batch=self.batch, lease=self.lease)
        if not ids:
            return 0
        prompts = Prompt.objects.filter(pk__in=ids).select_related(
            "client__user", "client__clinic", "schedule", "plan"
        )
        outcomes = {}
        for prompt in prompts.iterator(chunk_size=500):
            outcome = deliver(self.name, prompt)
            if outcome is None:
                continue
            if prompt.handed_over_at is not None:
                # Handed to a service: recorded at once, so that dying later in the batch
                # cannot leave it to be sent again.
                dispatch.finish(self.name, {prompt.pk: outcome})
            else:
                outcomes[prompt.pk] = outcome
        dispatch.finish(self.name, outcomes)
        return len(ids)

    def housekeeping(self) -> None:
        if time.monotonic() - self.last_plan >= self.plan_every:
            planned = schedules.plan_all()
            expired = dispatch.expire_overdue()
            recovery.forget_old_addresses()
            worker_housekeeping.send(sender=Worker)
            self.last_plan = time.monotonic()
            if planned or expired:
                log.info("planned %d prompts, expired %d", planned, expired)

    def run(self, *, once: bool = False) -> None:
        signal.signal(signal.SIGTERM, self.stop)
        signal.signal(signal.SIGINT, self.stop)
        log.info("worker %s started", self.name)
        while not self.stopping.is_set():
            try:
                close_old_connections()
                self.housekeeping()
                claimed = self.step()
            except (OperationalError, InterfaceError) as error:
                # The database is down or restarting: wait and try again rather than exit
                # (found by bench/load.py). What was claimed comes due again with its lease.
                log.warning(
                    "worker %s: database unavailable (%s), trying again in %g s",
                    self.name,
                    type(error).__name__,
                    self.idle,
                )
                claimed = 0  # close_old_connections drops the broken connection next round
            if once:
                break
            if not claimed:
                self.stopping.wait(self.idle)  # idle: wake at once on SIGTERM
        log.info("worker %s stopped", self.name)
