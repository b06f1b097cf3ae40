"""Competence scales: instrument definitions whose `subjectType` is Practitioner (they rate a
therapist's work, not a client). Bridgework's own scale ships in supervision/scales/; a clinic
holding a licence imports another (e.g. HAACS) on the questionnaires page or with
`manage.py import_instrument`, and it is offered here the same way."""

from __future__ import annotations

from pathlib import Path

from django.db.models import Q

from bridgework.accounts.models import Clinic
from bridgework.measures import library
from bridgework.measures.models import Instrument

FOLDER = Path(__file__).parent / "scales"
SHIPPED = "bridgework-competence"


def scales_for(clinic: Clinic) -> list[Instrument]:
    """The current (not retired) competence scales a clinic may rate with: the shipped one
    first, then the clinic's own imports."""
    current = Instrument.objects.filter(
        Q(clinic=None) | Q(clinic=clinic), retired_at=None, rates=Instrument.Rates.THERAPIST
    )
    return sorted(current, key=lambda i: (i.clinic_id is not None, i.title))


def sync_after_migrate() -> None:
    for path in sorted(FOLDER.glob("*.json")):
        library.install(library.read(path))
