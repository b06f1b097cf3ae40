from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Backups that restore: `manage.py backup_database` and `manage.py restore_drill`
    (docs/operations.md). No models; it reads every table, so it stands on the top floor."""

    name = "bridgework.backups"
    label = "backups"
