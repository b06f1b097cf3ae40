"""`manage.py fhir_export --client ID --as EMAIL [--mode identified|pseudonymised] --out FILE`:
one client's record as a FHIR Bundle, read through the doors as that person (who must be
able to read the client on the clinicians' pages) and recorded as their export."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from bridgework.interop.fhir.export.bundle import everything
from bridgework.interop.fhir.export.context import Mode
from bridgework.interop.fhir.management.people import person, request_as


class Command(BaseCommand):
    help = "Write one client's record as a FHIR R4 Bundle (JSON)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client", type=int, required=True, help="the client's id")
        parser.add_argument("--as", required=True, dest="email", help="who reads it (e-mail)")
        parser.add_argument("--mode", default="identified", choices=[m.value for m in Mode])
        parser.add_argument("--out", type=Path, required=True, help="the file to write (new)")

    def handle(self, *args: Any, **options: Any) -> None:
        out: Path = options["out"]
        if out.exists():
            raise CommandError(f"{out} exists already: name a new file.")
        reader = person(options["email"])
        try:
            bundle = everything(request_as(reader), options["client"], options["mode"])
        except Http404:
            raise CommandError(
                f"{reader.email} may not read client {options['client']} (or there is none)."
            ) from None
        out.write_text(json.dumps(bundle, ensure_ascii=False, indent=1), encoding="utf-8")
        self.stdout.write(f"Wrote {len(bundle['entry'])} resources to {out}.")
