"""Hooks through which plans tells the apps above it about a plan's life.

Higher layers connect to these in their AppConfig.ready(); plans never imports them. Each is
sent inside its change's transaction: receivers' changes commit or roll back with it, and an
exception in a receiver fails the change."""

from __future__ import annotations

from django.dispatch import Signal

# `plan` has just been reviewed: `review` (a Review, its answers by linkId), by `by`, in
# `session` (or None). The plan's new state and any successor draft are saved already.
# (Measures keeps the answers as an Action Plan Review response, links it as
# `review.response`, and checks for persistent non-engagement.)
plan_reviewed = Signal()

# `plan` has just been agreed, by `by`. (Prompts turns its designed reminders,
# `plan.reminders`, into the plan's schedule.)
plan_agreed = Signal()

# The designed reminders of an agreed or active `plan` changed in an edit by `by`; `before`
# is the design it had. (Prompts sets a new version of the plan's schedule, starts one, or
# ends it when the design is now "no reminders".)
plan_reminders_changed = Signal()
