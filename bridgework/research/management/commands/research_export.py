"""`manage.py research_export --study ID --format csv|parquet --out DIR --by EMAIL`: a study's
export written straight into DIR (datapackage.json and one file per table), as the worker
makes it for the web, from the research database (the replica when there is one).

`--by` names the researcher the export is for: one holding an open access to the study, as on
the web, or the command refuses. The audit row names them as its actor, and keeps which
operating-system account ran the command (the files leave Bridgework through that account).
Refusals are in the researcher's language."""

from __future__ import annotations

import getpass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from bridgework.accounts.models import User
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.research.access import researcher_role
from bridgework.research.export.package import ExportRefused, write_package
from bridgework.research.models import Export, Study
from bridgework.research.replica import research_database

COMMAND = "research_export"


class Command(BaseCommand):
    help = (
        "Export a study's pseudonymised, consented data into a directory: datapackage.json "
        "(the codebook) and one CSV or Parquet file per table."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--study", type=int, required=True, help="the study's id")
        parser.add_argument(
            "--format", required=True, help="csv or parquet", dest="fmt", metavar="FORMAT"
        )
        parser.add_argument(
            "--out", type=Path, required=True, help="the directory to write (new or empty)"
        )
        parser.add_argument(
            "--tables", default="", help="only these of the study's tables, comma-separated"
        )
        parser.add_argument(
            "--by",
            required=True,
            metavar="EMAIL",
            help="the e-mail address of the researcher the export is for (holding access)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        fmt, out = options["fmt"], options["out"]
        if fmt not in Export.Format.values:
            raise CommandError(f"Unknown format “{fmt}”: choose csv or parquet.")
        study = Study.objects.filter(pk=options["study"]).first()
        if study is None:
            raise CommandError(f"No study with id {options['study']}.")
        researcher = researcher_of(study, options["by"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"{out} is a file, not a directory: name a directory to write.")
        # Another export's files beside this one's would mix two packages (and two studies'
        # pseudonyms) in one folder, with a datapackage.json describing only some of them.
        if out.is_dir() and any(out.iterdir()):
            raise CommandError(f"{out} is not empty: name a new or empty directory.")
        tables = [name.strip() for name in options["tables"].split(",") if name.strip()] or None
        try:
            with translation.override(researcher.language):
                result = write_package(
                    study, fmt=fmt, out_dir=out, tables=tables, using=research_database()
                )
        except ExportRefused as refused:
            raise CommandError(refused.message) from None
        rows = sum(result.rows.values())
        trail.noted(
            researcher,
            AccessEvent.Action.EXPORT,
            "study",
            study.pk,
            clinic_id=study.clinic_id,
            detail={
                "command": COMMAND,
                "os_user": getpass.getuser(),
                "format": fmt,
                "tables": list(result.rows),
                "rows": rows,
                "clients": result.clients_included,
                "withdrawn": len(result.withdrawn),
            },
        )
        self.stdout.write(
            f"Wrote {len(result.rows)} tables ({rows} rows, {result.clients_included} clients) "
            f"and datapackage.json to {out}."
        )
        if result.withdrawn:
            self.stdout.write(f"{len(result.withdrawn)} clients withdrew consent and are left out.")


def researcher_of(study: Study, email: str) -> User:
    """The researcher `--by` names, if they hold an open access to the study (the same rule
    as the study's pages); else the command refuses, saying what it needs."""
    person = User.objects.filter(email__iexact=email.strip()).first()
    if person is None or researcher_role(person, study) is None:
        raise CommandError(
            f"{email} is not a researcher with access to study {study.pk}. Name yourself with "
            "--by, as a researcher the study's clinic admin has granted access to it."
        )
    return person
