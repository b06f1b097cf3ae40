"""What the research pages show, put together from a study the door handed out: the study
page's facts and exports, the access page's researchers, the codebook, an export's progress.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext_lazy

from bridgework.accounts.models import User
from bridgework.research import access
from bridgework.research.export.codebook import Column, Table
from bridgework.research.export.package import consented_clients, descriptor
from bridgework.research.export.tables import TABLES, columns_of
from bridgework.research.export.withdrawn import WITHDRAWN
from bridgework.research.export.writers import resource_descriptor
from bridgework.research.forms import ExportForm
from bridgework.research.models import Export, Study
from bridgework.research.replica import research_database

UNFINISHED = (Export.State.WAITING, Export.State.RUNNING)


def progress_of(export: Export) -> dict[str, Any]:
    """How far the export is, in numbers and in words."""
    total = len(export.tables)
    return {
        "state": export.state,
        "label": state_label(export),
        "finished": export.state not in UNFINISHED,
        "tables_done": export.tables_done,
        "tables": total,
        "rows_written": export.rows_written,
        "words": progress_words(export, total),
    }


def state_label(export: Export) -> str:
    """The state's badge; an export deleted because a participant withdrew says so, so it
    does not read as one that merely ran out of time."""
    if export.expired_because == Export.ExpiredBecause.WITHDRAWAL:
        return _("Withdrawn")
    return str(Export.State(export.state).label)


def progress_words(export: Export, total: int) -> str:
    if export.state == Export.State.WAITING:
        # After a failed try, the detail says so and that it is tried again.
        return export.detail or _("Waiting for the worker to start it.")
    if export.state == Export.State.RUNNING:
        return _("%(done)d of %(total)d tables, %(rows)s rows so far.") % {
            "done": export.tables_done,
            "total": total,
            "rows": formats.number_format(export.rows_written, force_grouping=True),
        }
    if export.state == Export.State.FAILED:
        return export.detail or _("The export failed.")
    return ""


def log_of(export: Export) -> list[str]:
    """The export's log: who was in it, and who was left out since the study's last export."""
    if export.state not in (Export.State.READY, Export.State.EXPIRED):
        return []
    lines = [
        ngettext(
            "%(count)d client with an open research consent is included.",
            "%(count)d clients with an open research consent are included.",
            export.clients_included,
        )
        % {"count": export.clients_included}
    ]
    withdrawn = len(export.withdrawn)
    if withdrawn:
        lines.append(
            ngettext(
                "%(count)d client withdrew consent and is left out.",
                "%(count)d clients withdrew consent and are left out.",
                withdrawn,
            )
            % {"count": withdrawn}
        )
    return lines + expiry_words(export)


def expiry_words(export: Export) -> list[str]:
    """Why an expired export's file is gone (the study page's log)."""
    if export.state != Export.State.EXPIRED:
        return []
    if export.expired_because == Export.ExpiredBecause.WITHDRAWAL:
        return [
            _(
                "Withdrawn: a participant withdrew their research consent, so its file was "
                "deleted; if you downloaded it, delete your copies. A new export leaves them out."
            )
        ]
    return [_("Its file was deleted when its time was up.")]


@dataclass(frozen=True)
class ExportRow:
    export: Export
    progress: dict[str, Any]
    log: list[str]


def study_page(study: Study, form: ExportForm) -> dict[str, Any]:
    exports = study.exports.select_related("requested_by")
    return {
        "study": study,
        "clinics": study.clinics.all(),
        "consented": consented_clients(study, using=research_database()).count(),
        "tables": [TABLES[name] for name in study.tables if name in TABLES],
        "exports": [ExportRow(e, progress_of(e), log_of(e)) for e in exports],
        "form": form,
        "making": any(e.state in UNFINISHED for e in exports),
    }


def access_page(study: Study) -> dict[str, Any]:
    holding = {grant.researcher_id: grant for grant in access.open_accesses(study)}
    people: list[tuple[User, Any]] = [
        (person, holding.get(person.pk)) for person in access.access_candidates(study)
    ]
    return {"study": study, "people": people}


# The codebook's types and units as the page words them (the files keep the codes).
TYPE_WORDS = {
    "string": pgettext_lazy("codebook type", "string"),
    "integer": pgettext_lazy("codebook type", "integer"),
    "number": pgettext_lazy("codebook type", "number"),
    "boolean": pgettext_lazy("codebook type", "boolean"),
    "date": pgettext_lazy("codebook type", "date"),
    "datetime": pgettext_lazy("codebook type", "datetime"),
}
UNIT_WORDS = {
    "points": pgettext_lazy("codebook unit", "points"),
    "obstacles": pgettext_lazy("codebook unit", "obstacles"),
    "goals": pgettext_lazy("codebook unit", "goals"),
    "attempts": pgettext_lazy("codebook unit", "attempts"),
    "minutes": pgettext_lazy("codebook unit", "minutes"),
}


@dataclass(frozen=True)
class CodebookColumn:
    """A column as the codebook page shows it, in the reader's language: its meaning is the
    files' English text looked up in the catalog (each has its entry in locale/), its codes
    and name stay as the files write them."""

    column: Column
    allowed: list[str]  # the allowed values one by one, or a range in words

    @property
    def type_words(self) -> str:
        return str(TYPE_WORDS.get(self.column.type, self.column.type))

    @property
    def unit(self) -> str:
        unit = self.column.unit
        return str(UNIT_WORDS[unit]) if unit in UNIT_WORDS else unit

    @property
    def codes(self) -> bool:
        return bool(self.column.enum)

    @property
    def meaning(self) -> str:
        return _(self.column.meaning) if self.column.meaning else ""


@dataclass(frozen=True)
class CodebookTable:
    table: Table
    columns: list[CodebookColumn]

    @property
    def description(self) -> str:
        return _(self.table.description) if self.table.description else ""


def codebook_page(study: Study) -> dict[str, Any]:
    """The study's tables and the columns an export of it writes (free text only when the
    study includes it), and the withdrawn table every package holds."""
    tables = []
    for name in study.tables:
        if name not in TABLES:
            continue
        columns = columns_of(TABLES[name], include_free_text=study.include_free_text)
        rows = [CodebookColumn(column, column.allowed_values()) for column in columns]
        tables.append(CodebookTable(TABLES[name], rows))
    # Every package also lists who withdrew.
    listed = [CodebookColumn(column, column.allowed_values()) for column in WITHDRAWN.columns]
    tables.append(CodebookTable(WITHDRAWN, listed))
    return {"study": study, "tables": tables}


def descriptor_of(study: Study, fmt: str = Export.Format.CSV) -> dict[str, Any]:
    """The study's datapackage.json as an export of it in `fmt` writes it (the engine's own
    pieces, so the two never differ)."""
    with translation.override("en"):  # as an export's: English, whoever asks
        return english_descriptor(study, fmt)


def english_descriptor(study: Study, fmt: str) -> dict[str, Any]:
    names = [name for name in TABLES if name in study.tables]
    resources = [
        resource_descriptor(
            TABLES[name],
            columns_of(TABLES[name], include_free_text=study.include_free_text),
            fmt,
            set(names),
        )
        for name in names
    ]
    resources.append(resource_descriptor(WITHDRAWN, WITHDRAWN.columns, fmt, set()))
    return descriptor(study, resources)


def download_name(export: Export) -> str:
    return f"study-{export.study_id}-export-{export.pk}-{export.format}.zip"
