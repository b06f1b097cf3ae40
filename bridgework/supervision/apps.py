from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate


class SupervisionConfig(AppConfig):
    name = "bridgework.supervision"
    label = "supervision"

    def ready(self) -> None:
        # Bridgework's own competence scale is an instrument definition (supervision/scales/),
        # installed on every migrate beside the questionnaires.
        post_migrate.connect(install_scales, sender=self)
        # A broken scenario file stops `manage.py check` (and every start), not a role-play.
        checks.register(check_scenarios)


def install_scales(**kwargs: Any) -> None:
    from bridgework.supervision.scales import sync_after_migrate

    sync_after_migrate()


def check_scenarios(**kwargs: Any) -> list[checks.CheckMessage]:
    from bridgework.supervision.scenarios import ScenarioFileError, library

    try:
        library()
    except ScenarioFileError as error:
        return [checks.Error(str(error), id="supervision.E001")]
    return []
