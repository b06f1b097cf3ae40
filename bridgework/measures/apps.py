from django.apps import AppConfig
from django.db.models.signals import post_migrate


class MeasuresConfig(AppConfig):
    name = "bridgework.measures"
    label = "measures"

    def ready(self) -> None:
        from bridgework.measures.library import sync_after_migrate

        post_migrate.connect(sync_after_migrate, sender=self)
