from django.apps import AppConfig


class RecordsConfig(AppConfig):
    """A client's records at the end of their life: the clinic's retention policy, legal
    holds and erasure requests (docs/erasure.md). Erasure reaches every table that holds a
    client's data, so the app stands on the top floor, beside demo and backups."""

    name = "bridgework.records"
    label = "records"
