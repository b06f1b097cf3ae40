"""Hooks through which accounts tells the apps above it about a person's sign-in.

Higher layers connect to these in their AppConfig.ready(); accounts never imports them."""

from __future__ import annotations

from django.dispatch import Signal

# Every session of `user` has just ended (a new password was set through a reset link).
# Sent inside the change's transaction: receivers' changes commit or roll back with it.
signed_out_everywhere = Signal()
