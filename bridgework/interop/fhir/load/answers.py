"""A QuestionnaireResponse's answers as Bridgework stores them, and which questionnaire of
this clinic it answered."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from bridgework.accounts.models import Clinic
from bridgework.interop.fhir.load.intake import Resource
from bridgework.measures import actions as measures
from bridgework.measures.models import Instrument

VALUES = ("valueCoding", "valueInteger", "valueDecimal", "valueString", "valueBoolean")


def instrument_for(clinic: Clinic, canonical: object) -> Instrument | None:
    """The version `canonical` ("url|version") names, among those this clinic may use."""
    url, _bar, version = str(canonical or "").partition("|")
    mine = Instrument.objects.filter(Q(clinic=None) | Q(clinic=clinic), definition__url=url)
    if version:
        mine = mine.filter(version=version)
    return mine.order_by("clinic_id", "-imported_at").first()


def given(resource: Resource) -> dict[str, str]:
    """Each item's answer as the questionnaire form posts it (`item-<linkId>`: text)."""
    form: dict[str, str] = {}
    for item in flat(resource.get("item") or []):
        for answer in item.get("answer") or []:
            value = next((answer[key] for key in VALUES if key in answer), None)
            if isinstance(value, dict):
                value = value.get("code")
            if value is not None:
                form[f"item-{item.get('linkId')}"] = str(value)
    return form


def flat(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    found = []
    for item in items:
        found.append(item)
        found += flat(item.get("item") or [])
    return found


def answers_of(instrument: Instrument, resource: Resource) -> dict[str, Any]:
    return measures.answers_from(instrument, given(resource))
