from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgework.accounts.models import Clinic
from bridgework.measures.definitions import DefinitionError
from bridgework.measures.library import install, read


class Command(BaseCommand):
    help = (
        "Import an instrument definition (a FHIR Questionnaire with Bridgework scoring) for "
        "a clinic, e.g. a licensed scale the clinic holds a licence for."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--clinic", type=int, required=True, help="the clinic's id")

    def handle(self, *args: Any, **options: Any) -> None:
        clinic = Clinic.objects.filter(pk=options["clinic"]).first()
        if clinic is None:
            raise CommandError(f"No clinic with id {options['clinic']}.")
        try:
            instrument = install(read(options["file"]), clinic=clinic)
        except (DefinitionError, OSError) as error:
            raise CommandError(str(error)) from None
        self.stdout.write(f"Imported {instrument} for {clinic}.")
