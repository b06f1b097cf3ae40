from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend

from bridgework.accounts.models import User


class Backend(ModelBackend):
    """Django's password backend, loading each request's user together with their clinic and,
    for a client, their own record: every page needs them, and one query beats three."""

    def get_user(self, user_id: Any) -> User | None:
        user = (
            User.objects.select_related("clinic", "client_record__clinic")
            .filter(pk=user_id)
            .first()
        )
        return user if user is not None and self.user_can_authenticate(user) else None
