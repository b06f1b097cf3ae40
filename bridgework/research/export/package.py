"""A study's export as a data package: datapackage.json and one file per table.

`write_package` is what the worker and `manage.py research_export` call; it reads from the
database it is given (the replica, research.replica.research_database()) and streams every
table, so memory stays the same however many rows there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bridgework.care.models import Client
from bridgework.research.export import answers, outcomes, ratings, rows
from bridgework.research.export.codebook import Table
from bridgework.research.export.columnar import Batch, batches_of_rows, rows_of_batches
from bridgework.research.export.context import Context, consented
from bridgework.research.export.snapshot import one_snapshot
from bridgework.research.export.tables import TABLES, columns_of
from bridgework.research.export.withdrawn import WITHDRAWN, withdrawn
from bridgework.research.export.writers import (
    FORMATS,
    WRITERS,
    resource_descriptor,
    write_descriptor,
)
from bridgework.research.models import Study

# The large tables are read in batches of Arrow columns (research.export.arrow_read); the
# others yield rows, which are put in batches of Python values (research.export.columnar).
# ROWS has every table as rows (the analyses page reads them into data frames).
COLUMNAR: dict[str, Callable[[Context], Iterator[Batch]]] = {
    "practice_logs": rows.practice_logs,
    "ratings": ratings.ratings,
}
ROWS: dict[str, Callable[[Context], Iterator[tuple[Any, ...]]]] = {
    "clients": rows.clients,
    "sessions": rows.sessions,
    "goals": rows.goals,
    "plans": rows.plans,
    "plan_versions": rows.plan_versions,
    "plan_goals": rows.plan_goals,
    "obstacles": rows.obstacles,
    "prompts": rows.prompts,
    "practice_logs": rows_of_batches(rows.practice_logs),
    "ratings": rows_of_batches(ratings.ratings),
    "checkins": outcomes.checkins,
    "reviews": outcomes.reviews,
    "measure_responses": outcomes.measure_responses,
    "measure_scores": outcomes.measure_scores,
    "measure_items": answers.measure_items,
    "flags": outcomes.flags,
    "competence_ratings": outcomes.competence_ratings,
    "competence_items": outcomes.competence_items,
}
assert list(ROWS) == list(TABLES), "every table has its rows, in the codebook's order"


def batches(name: str, ctx: Context) -> Iterator[Batch]:
    """The table's rows in batches of columns, whichever way it reads them."""
    if name in COLUMNAR:
        return COLUMNAR[name](ctx)
    return batches_of_rows(ROWS[name](ctx))


class ExportRefused(Exception):
    """The export cannot be made as asked; the message says why, in words for the
    researcher or admin (never client data)."""

    @property
    def message(self) -> str:
        return str(self.args[0])


@dataclass
class PackageResult:
    clients_included: int
    withdrawn: list[str]
    rows: dict[str, int] = field(default_factory=dict)
    # The database ids of the clients in it (Export.included_clients): never written out.
    clients: list[int] = field(default_factory=list, repr=False)


def consented_clients(study: Study, *, using: str = "default") -> QuerySet[Client]:
    """The study's clients: real clients of its clinics with an open research consent."""
    return consented(study, using)


def chosen_tables(study: Study, tables: list[str] | None) -> list[str]:
    included = [name for name in TABLES if name in (study.tables or [])]
    if tables is None:
        return included
    unknown = [name for name in tables if name not in TABLES]
    if unknown:
        raise ExportRefused(
            _("There is no table called %(names)s. The tables are: %(tables)s.")
            % {"names": ", ".join(unknown), "tables": ", ".join(TABLES)}
        )
    outside = [name for name in tables if name not in included]
    if outside:
        raise ExportRefused(
            _(
                "The study does not include %(names)s. Its tables are: %(tables)s; a clinic "
                "admin can add tables to the study."
            )
            % {
                "names": ", ".join(outside),
                "tables": ", ".join(included) or pgettext("no tables", "none"),
            }
        )
    return [name for name in TABLES if name in tables]


def check_request(study: Study, fmt: str, tables: list[str] | None, using: str) -> list[str]:
    if fmt not in FORMATS:
        raise ExportRefused(
            _("Unknown format “%(format)s”: choose csv or parquet.") % {"format": fmt}
        )
    names = chosen_tables(study, tables)
    if not names:
        raise ExportRefused(_("The study includes no tables; a clinic admin can choose some."))
    if not consented_clients(study, using=using).exists():
        raise ExportRefused(
            _(
                "No client of this study has an open research consent, so there is nothing to "
                "export. Clients of the study's clinics join it by giving research consent."
            )
        )
    return names


def write_package(
    study: Study,
    *,
    fmt: str,
    out_dir: Path,
    tables: list[str] | None = None,
    using: str = "default",
    progress: Callable[[int, int], None] | None = None,
) -> PackageResult:
    """Write datapackage.json and one <table>.<fmt> per table into `out_dir`.

    `tables` defaults to the study's own; asking for one it does not include is refused.
    `progress(tables_done, rows_written)` is called after every batch of rows and after
    every table (for Export.tables_done and rows_written). On PostgreSQL every table is read
    in one snapshot (research.export.snapshot)."""
    with one_snapshot(using) as reading:
        names = check_request(study, fmt, tables, reading)  # refusals in the asker's language
        with translation.override("en"):  # the files are English, whoever asks
            return write_files(study, fmt, out_dir, names, reading, progress)


def write_files(
    study: Study,
    fmt: str,
    out_dir: Path,
    names: list[str],
    reading: str,
    progress: Callable[[int, int], None] | None,
) -> PackageResult:
    """The package's files, in English: their names, headers, codebook and descriptor are
    what a researcher's analysis reads, so they never follow anyone's language."""
    out_dir.mkdir(parents=True, exist_ok=True)
    ctx = Context.of(study, reading)
    clients = list(ctx.clients.values_list("pk", flat=True))
    left = list(withdrawn(ctx))
    result = PackageResult(
        clients_included=len(clients),
        clients=clients,
        withdrawn=[pseudonym for pseudonym, _day in left],
    )
    report = progress or (lambda _tables, _rows: None)
    resources = write_tables(ctx, fmt, out_dir, names, result, report)
    # In every package, not counted among the study's tables (nor in the progress).
    resources.append(write_table(WITHDRAWN, fmt, out_dir, batches_of_rows(iter(left))))
    write_descriptor(out_dir / "datapackage.json", descriptor(study, resources))
    return result


def write_tables(
    ctx: Context,
    fmt: str,
    out_dir: Path,
    names: list[str],
    result: PackageResult,
    report: Callable[[int, int], None],
) -> list[dict[str, Any]]:
    resources, total = [], 0
    for done, name in enumerate(names):
        table = TABLES[name]
        columns = columns_of(table, include_free_text=ctx.free_text)
        written = WRITERS[fmt](
            out_dir / f"{name}.{fmt}",
            table,
            columns,
            batches(name, ctx),
            partial(tick, report, done, total),
        )
        result.rows[name], total = written, total + written
        resources.append(resource_descriptor(table, columns, fmt, set(names)))
        report(done + 1, total)
    return resources


def write_table(table: Table, fmt: str, out_dir: Path, rows: Iterator[Batch]) -> dict[str, Any]:
    """A table without free text or progress (withdrawn): its file, and its resource."""
    WRITERS[fmt](out_dir / f"{table.name}.{fmt}", table, table.columns, rows, lambda _rows: None)
    return resource_descriptor(table, table.columns, fmt, set())


def tick(report: Callable[[int, int], None], done: int, before: int, so_far: int) -> None:
    report(done, before + so_far)


def descriptor(study: Study, resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": f"bridgework-study-{study.pk}",
        "title": study.name,
        "description": (
            f"{study.purpose}\n\nData from {study.starts_on.isoformat()} to "
            f"{study.ends_on.isoformat()}. Ids are study pseudonyms; "
            + (
                "dates and times are shifted per client by a whole number of days."
                if study.shift_dates
                else "dates and times are not shifted."
            )
            + (" Free text is included." if study.include_free_text else " Free text is left out.")
        ),
        "resources": resources,
    }
