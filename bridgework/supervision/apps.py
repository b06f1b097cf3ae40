from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class SupervisionConfig(AppConfig):
    name = "bridgework.supervision"
    label = "supervision"

    def ready(self) -> None:
        # Bridgework's own competence scale is an instrument definition (supervision/scales/),
        # installed on every migrate beside the questionnaires.
        post_migrate.connect(install_scales, sender=self)


def install_scales(**kwargs: Any) -> None:
    from bridgework.supervision.scales import sync_after_migrate

    sync_after_migrate()
