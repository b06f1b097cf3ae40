"""`manage.py fhir_import FILE --as ADMIN_EMAIL --therapist EMAIL`: a FHIR Bundle into the
admin's clinic, the client joining the therapist's caseload, as the import page does it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from bridgework.interop.fhir.load.bundle import import_bundle
from bridgework.interop.fhir.load.validation import InvalidBundle
from bridgework.interop.fhir.management.people import person


class Command(BaseCommand):
    help = "Import one client's record (a FHIR R4 Bundle, JSON) into a clinic."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--as", required=True, dest="email", help="a clinic admin's e-mail")
        parser.add_argument("--therapist", required=True, help="who takes the client on")

    def handle(self, *args: Any, **options: Any) -> None:
        admin, therapist = person(options["email"]), person(options["therapist"])
        if not admin.is_clinic_admin:
            raise CommandError(f"{admin.email} is no clinic admin.")
        if therapist.clinic_id != admin.clinic_id or not therapist.is_therapist:
            raise CommandError(f"{therapist.email} is no therapist of {admin.clinic.name}.")
        try:
            data = json.loads(options["file"].read_text(encoding="utf-8"))
            report = import_bundle(data, clinic=admin.clinic, by=admin, therapist=therapist)
        except (OSError, UnicodeDecodeError, ValueError) as problem:
            problems = problem.problems if isinstance(problem, InvalidBundle) else [str(problem)]
            raise CommandError("Refused, nothing imported:\n" + "\n".join(problems)) from None
        self.stdout.write(
            f"Client {report.client_id}: {len(report.created)} created, "
            f"{len(report.changed)} changed, {len(report.unchanged)} unchanged, "
            f"{len(report.not_imported)} not imported."
        )
        for left in report.not_imported:
            self.stdout.write(f"  {left}")
