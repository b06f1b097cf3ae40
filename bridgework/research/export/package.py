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

from bridgework.care.models import Client
from bridgework.research.export import answers, outcomes, ratings, rows
from bridgework.research.export.columnar import Batch, batches_of_rows, rows_of_batches
from bridgework.research.export.context import (
    Context,
    clients_of_clinics,
    consented,
    research_consent,
)
from bridgework.research.export.pseudonyms import Pseudonyms
from bridgework.research.export.snapshot import one_snapshot
from bridgework.research.export.tables import TABLES, columns_of
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


def consented_clients(study: Study, *, using: str = "default") -> QuerySet[Client]:
    """The study's clients: real clients of its clinics with an open research consent."""
    return consented(study, using)


def withdrawn_clients(study: Study, *, using: str = "default") -> list[str]:
    """The study pseudonyms of its clinics' clients who gave a research consent and have
    withdrawn it (none is open now): left out of the export, and named in its log."""
    pseudonyms = Pseudonyms(study.pseudonym_key)
    pks = (
        clients_of_clinics(study, using)
        .filter(research_consent(open_only=False))
        .exclude(research_consent())
        .values_list("pk", flat=True)
    )
    return sorted(pseudonyms.of("client", pk) for pk in pks.iterator())


def chosen_tables(study: Study, tables: list[str] | None) -> list[str]:
    included = [name for name in TABLES if name in (study.tables or [])]
    if tables is None:
        return included
    unknown = [name for name in tables if name not in TABLES]
    if unknown:
        raise ExportRefused(
            f"There is no table called {', '.join(unknown)}. The tables are: {', '.join(TABLES)}."
        )
    outside = [name for name in tables if name not in included]
    if outside:
        raise ExportRefused(
            f"The study does not include {', '.join(outside)}. Its tables are: "
            f"{', '.join(included) or 'none'}; a clinic admin can add tables to the study."
        )
    return [name for name in TABLES if name in tables]


def check_request(study: Study, fmt: str, tables: list[str] | None, using: str) -> list[str]:
    if fmt not in FORMATS:
        raise ExportRefused(f"Unknown format “{fmt}”: choose csv or parquet.")
    names = chosen_tables(study, tables)
    if not names:
        raise ExportRefused("The study includes no tables; a clinic admin can choose some.")
    if not consented_clients(study, using=using).exists():
        raise ExportRefused(
            "No client of this study has an open research consent, so there is nothing to "
            "export. Clients of the study's clinics join it by giving research consent."
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
        names = check_request(study, fmt, tables, reading)
        out_dir.mkdir(parents=True, exist_ok=True)
        ctx = Context.of(study, reading)
        result = PackageResult(
            clients_included=ctx.clients.count(),
            withdrawn=sorted(
                {
                    *withdrawn_clients(study, using=reading),
                    *(ctx.pseudonyms.of("client", pk) for pk in ctx.withdrawn_meanwhile),
                }
            ),
        )
        report = progress or (lambda _tables, _rows: None)
        resources = write_tables(ctx, fmt, out_dir, names, result, report)
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
