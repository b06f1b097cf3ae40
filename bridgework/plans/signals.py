"""Hooks through which plans tells the apps above it about a plan's life.

Higher layers connect to these in their AppConfig.ready(); plans never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# `plan` has just been reviewed: `review` (a Review, its answers by linkId), by `by`, in
# `session` (or None). The plan's new state and any successor draft are saved already.
# Sent inside the review's transaction: receivers' changes commit or roll back with it.
# (Measures keeps the answers as an Action Plan Review response, links it as
# `review.response`, and checks for persistent non-engagement.)
plan_reviewed = Signal()
