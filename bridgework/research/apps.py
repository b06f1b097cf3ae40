from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class ResearchConfig(AppConfig):
    name = "bridgework.research"
    label = "research"

    def ready(self) -> None:
        from bridgework.care.signals import consent_withdrawn
        from bridgework.prompts.signals import worker_housekeeping, worker_step

        # The reminder worker makes the exports too (STYLE.md, "Layers": prompts never
        # imports research; research registers here).
        worker_step.connect(make_exports, dispatch_uid="research.make_exports")
        worker_housekeeping.connect(expire_exports, dispatch_uid="research.expire_exports")
        consent_withdrawn.connect(withdraw_from_exports, dispatch_uid="research.withdraw")


def make_exports(sender: Any, *, worker: str, lease: Any, **kwargs: Any) -> int:
    """Each worker step: make one waiting export. The export's own lease is longer than the
    reminders' (`lease`), and renewed as it goes (jobs.EXPORT_LEASE)."""
    from bridgework.research import jobs

    return jobs.make_one(worker)


def expire_exports(sender: Any, **kwargs: Any) -> None:
    from bridgework.research import jobs

    jobs.expire_exports()
    jobs.clear_abandoned_work()


def withdraw_from_exports(sender: Any, *, client: Any, purpose: str, **kwargs: Any) -> None:
    """A withdrawn research consent reaches the exports already made: each ready export
    holding the client is expired at once, its file deleted (research.expiry)."""
    from bridgework.care.models import Consent
    from bridgework.research import expiry

    if purpose == Consent.Purpose.RESEARCH:
        expiry.withdraw_from_exports(client)
