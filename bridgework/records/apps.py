from __future__ import annotations

from typing import Any

from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """A client's records at the end of their life: the clinic's retention policy, legal
    holds and erasure requests (docs/erasure.md). Erasure reaches every table that holds a
    client's data, so the app stands on the top floor, beside demo and backups."""

    name = "bridgework.records"
    label = "records"

    def ready(self) -> None:
        from bridgework.audit.hooks import read_only_because
        from bridgework.prompts.signals import worker_housekeeping
        from bridgework.records import readonly

        # Held records are read-only: the trail asks, records answers (audit never imports it).
        read_only_because.answer_with(readonly.why)

        # The reminder worker applies retention too (prompts never imports records).
        worker_housekeeping.connect(apply_retention, dispatch_uid="records.apply_retention")


def apply_retention(sender: Any, **kwargs: Any) -> None:
    from bridgework.records import worker

    worker.housekeeping()
