"""The shipped instruments (measures/instruments/*.json), checked and loaded on migrate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.db import transaction

from bridgework.accounts.models import Clinic, User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed, snapshot
from bridgework.measures.definitions import DefinitionError, check, without_translations
from bridgework.measures.models import Instrument

FOLDER = Path(__file__).parent / "instruments"
CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE


def slug_of(definition: dict[str, Any]) -> str:
    return str(definition["url"]).rstrip("/").rsplit("/", 1)[-1]


def read(path: Path) -> dict[str, Any]:
    try:
        definition = json.loads(path.read_text(encoding="utf-8"))
        check(definition)
    except (json.JSONDecodeError, DefinitionError) as error:
        raise DefinitionError(f"{path.name}: {error}") from None
    return dict(definition)


@transaction.atomic
def install(
    definition: dict[str, Any], clinic: Clinic | None = None, *, by: User | None = None
) -> Instrument:
    """Add this version (or find it). An older version of the same instrument is retired: new
    responses use the newest, and old responses keep the version they answered. A clinic's
    import is recorded in its audit chain."""
    check(definition)
    slug, version = slug_of(definition), str(definition["version"])
    if clinic is not None and Instrument.objects.filter(clinic=None, slug=slug).exists():
        # A clinic's version would replace the shipped one for its clients, and could quietly
        # drop a safety rule such as PHQ-9's item-9 risk flag.
        raise DefinitionError(
            f"{slug} is shipped with Bridgework and cannot be replaced; give your "
            "questionnaire its own url"
        )
    instrument, created = Instrument.objects.get_or_create(
        clinic=clinic,
        slug=slug,
        version=version,
        defaults={
            "title": definition["title"],
            "definition": definition,
            "rates": Instrument.rates_of(definition),
        },
    )
    if not created and instrument.definition != definition:
        # A version's items, answers and scoring never change under the responses that used
        # it; only its translations may grow (the same questions, now also in German).
        if without_translations(instrument.definition) != without_translations(definition):
            raise DefinitionError(
                f"version {version} of {slug} is already in use with other items or scoring; "
                "give the changed definition a new version"
            )
        was = snapshot(instrument)
        instrument.definition = definition
        instrument.save(update_fields=["definition"])
        changed(by, CHANGE, instrument, before=was)
    if created:
        from django.utils import timezone

        changed(by, CREATE, instrument)
        Instrument.objects.filter(clinic=clinic, slug=slug, retired_at=None).exclude(
            pk=instrument.pk
        ).update(retired_at=timezone.now())
    return instrument


def sync_after_migrate(**kwargs: Any) -> None:
    for path in sorted(FOLDER.glob("*.json")):
        install(read(path))
