"""Hooks through which care tells the apps above it about a client's record.

Higher layers connect to these in their AppConfig.ready(); care never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# `client` has just withdrawn consent for `purpose` (a Consent.Purpose value); `by` recorded it.
# Sent inside the change's transaction: receivers' changes commit or roll back with it.
consent_withdrawn = Signal()
