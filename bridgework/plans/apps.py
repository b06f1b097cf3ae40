from django.apps import AppConfig
from django.db.models.signals import post_migrate


class PlansConfig(AppConfig):
    name = "bridgework.plans"
    label = "plans"

    def ready(self) -> None:
        from bridgework.plans.library import sync_after_migrate

        # Shipped templates are data files; every migrate brings the database up to date.
        post_migrate.connect(sync_after_migrate, sender=self)
