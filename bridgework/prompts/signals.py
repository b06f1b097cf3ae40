"""Hooks through which the reminder worker lets the apps above prompts do their own rounds.

Higher layers connect to these in their AppConfig.ready(); prompts never imports them. The
worker sends them in its own thread, receivers run in the order they were connected, and an
exception from one stops the worker as one from its own work would: each receiver catches
what it can try again (as the prompts' channels do)."""

from __future__ import annotations

from django.dispatch import Signal

# Each worker step, before the prompts' batch: claim and send one batch of your own on the
# shared queue (lib.leases). Receivers get `worker` (its name) and `lease` (a timedelta)
# and return how many they claimed. (Measures sends risk flags' notices here, so they never
# wait behind a batch of reminders.)
worker_step = Signal()

# Each planning round (about a minute apart), after the prompts are planned and the overdue
# ones expired: periodic checks. (Measures looks for clients fallen silent.)
worker_housekeeping = Signal()
