from __future__ import annotations

from django.apps import AppConfig


class FhirConfig(AppConfig):
    """FHIR records of one client. An app of its own inside interop only for its one model
    (`Link`, the identifiers records arrived with), so its migrations stand apart from the
    REST API's."""

    name = "bridgework.interop.fhir"
    label = "fhir"
    default_auto_field = "django.db.models.BigAutoField"
