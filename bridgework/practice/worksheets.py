"""Worksheets as versioned data: practice/worksheets/<slug>.v<version>.json.

Each file holds a JSON Schema (draft 2020-12) for the entries, labels per language for every
property, and which 0–100 field a quick log fills. Optional: `staff_labels` (how the care
team's pages name the fields: "What the client learned", where the client reads "What I
learned"), `learning` (the field that says what the client learned, which staff pages put
first) and `before_after` (pairs of ratings shown as one "before → after", each named by a
staff label). A practice log stores the slug and version it
was filled against, so a later version never reinterprets old entries. The same parsing and
validation serve the HTML forms and the offline sync, so an entry is judged the same way
whichever way it arrives.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bridgework.lib import text
from bridgework.lib.numbers import whole_number

FOLDER = Path(__file__).parent / "worksheets"
QUICK = "quick"
PRIVATE_ALLOWED = "free-diary"
ROWS_SHOWN = 3  # empty rows offered for a list (emotions, time series) on a form


@dataclass(frozen=True)
class Field:
    name: str  # the form name: "situation", "emotions.0.intensity"
    label: str
    widget: str  # text, textarea, rating100, rating10, number, checkbox
    required: bool
    low: int | None = None
    high: int | None = None
    max_length: int | None = None


@dataclass(frozen=True)
class Group:
    """A list property (e.g. emotions): rows of fields shown together."""

    name: str
    label: str
    rows: list[list[Field]]  # every row the worksheet allows (its maxItems)
    shown: int  # how many a form shows at first; "Add a row" reveals more


@dataclass(frozen=True)
class Worksheet:
    slug: str
    version: int
    titles: dict[str, str]
    labels: dict[str, dict[str, str]]
    schema: dict[str, Any]
    quick_rating: str | None
    staff_labels: dict[str, dict[str, str]] = dataclass_field(default_factory=dict)
    learning: str | None = None
    before_after: dict[str, list[str]] = dataclass_field(default_factory=dict)
    # Fields a list gives by itself ({"list", "value", "first", "highest", "last"}: see
    # practice.series); None for a worksheet without one.
    from_series: dict[str, str] | None = None

    @property
    def title(self) -> str:
        return self.titles.get(language(), self.titles["en"])

    def label(self, name: str) -> str:
        return self.labels.get(language(), {}).get(name) or self.labels["en"][name]

    def staff_label(self, name: str) -> str:
        """The field's name on the care team's pages (English only for now)."""
        return self.staff_labels.get("en", {}).get(name) or self.label(name)

    @property
    def properties(self) -> dict[str, Any]:
        return dict(self.schema["properties"])


def language() -> str:
    return (get_language() or "en").split("-")[0]


class WorksheetDefinitionError(ValueError):
    pass


def read(path: Path) -> Worksheet:
    data = json.loads(path.read_text(encoding="utf-8"))
    refused = text.first_refused(data)
    if refused is not None:
        raise WorksheetDefinitionError(f"{path.name}: {refused[0]} {refused[1].explanation()}")
    jsonschema.Draft202012Validator.check_schema(data["schema"])
    sheet = Worksheet(
        data["slug"],
        data["version"],
        data["title"],
        data["labels"],
        data["schema"],
        data.get("quick_rating"),
        data.get("staff_labels", {}),
        data.get("learning"),
        data.get("before_after", {}),
        data.get("from_series"),
    )
    expected = f"{sheet.slug}.v{sheet.version}"
    if path.stem != expected:
        raise WorksheetDefinitionError(f"{path.name}: should be named {expected}.json")
    missing = names_needing_labels(sheet.schema) - set(sheet.labels["en"])
    if missing:
        raise WorksheetDefinitionError(f"{path.name}: no English label for {sorted(missing)}")
    named = {sheet.learning or "", *(f for pair in sheet.before_after.values() for f in pair)}
    unknown = named - {""} - set(sheet.properties)
    if unknown:
        raise WorksheetDefinitionError(f"{path.name}: no such field as {sorted(unknown)}")
    check_from_series(path, sheet)
    return sheet


def check_from_series(path: Path, sheet: Worksheet) -> None:
    """A worksheet's `from_series` names one of its lists, that list's 0–100 column, and
    three of its 0–100 fields to fill."""
    rule = sheet.from_series
    if rule is None:
        return
    spec = sheet.properties.get(rule.get("list", ""), {})
    columns = spec.get("items", {}).get("properties", {}) if spec.get("type") == "array" else {}
    targets = [rule.get(part, "") for part in ("first", "highest", "last")]
    fits = [columns.get(rule.get("value", ""), {})] + [sheet.properties.get(t, {}) for t in targets]
    if not all(f.get("type") == "integer" and f.get("maximum") == 100 for f in fits):
        raise WorksheetDefinitionError(
            f"{path.name}: from_series must name a list, its 0–100 column (value) and three "
            "0–100 fields (first, highest, last)"
        )


def names_needing_labels(schema: Mapping[str, Any]) -> set[str]:
    names = set()
    for name, spec in schema.get("properties", {}).items():
        names.add(name)
        if spec.get("type") == "array":
            names |= names_needing_labels(spec["items"])
    return names


@cache
def all_versions() -> dict[tuple[str, int], Worksheet]:
    sheets = (read(path) for path in sorted(FOLDER.glob("*.v*.json")))
    return {(sheet.slug, sheet.version): sheet for sheet in sheets}


def current(slug: str) -> Worksheet:
    versions = [sheet for (name, _v), sheet in all_versions().items() if name == slug]
    if not versions:
        raise KeyError(slug)
    return max(versions, key=lambda sheet: sheet.version)


def get(slug: str, version: int) -> Worksheet:
    return all_versions()[(slug, version)]


def field_for(
    sheet: Worksheet,
    name: str,
    spec: Mapping[str, Any],
    required: bool,
    prefix: str = "",
    labels: Mapping[str, str] | None = None,
) -> Field:
    label = (labels or {}).get(name) or sheet.label(name)
    if spec.get("type") == "boolean":
        return Field(prefix + name, label, "checkbox", False)
    if spec.get("type") == "integer":
        low, high = spec.get("minimum"), spec.get("maximum")
        widget = {100: "rating100", 10: "rating10"}.get(int(high or 0), "number")
        widget = widget if low == 0 else "number"
        return Field(prefix + name, label, widget, required, low, high)
    long = spec.get("maxLength", 0) > 300
    return Field(
        prefix + name,
        label,
        "textarea" if long else "text",
        required,
        max_length=spec.get("maxLength"),
    )


def layout(sheet: Worksheet, labels: Mapping[str, str] | None = None) -> list[Field | Group]:
    """The form's fields in the schema's order; lists become groups of rows. `labels` name
    fields in a plan's own words (practice.seeding)."""
    required = set(sheet.schema.get("required", []))
    parts: list[Field | Group] = []
    for name, spec in sheet.properties.items():
        if spec.get("type") != "array":
            parts.append(field_for(sheet, name, spec, name in required, labels=labels))
            continue
        item = spec["items"]
        rows = spec.get("maxItems", ROWS_SHOWN)  # as many as parse_rows reads back
        parts.append(
            Group(
                name,
                sheet.label(name),
                [
                    [
                        field_for(sheet, column, column_spec, False, prefix=f"{name}.{row}.")
                        for column, column_spec in item["properties"].items()
                    ]
                    for row in range(rows)
                ],
                shown=min(rows, ROWS_SHOWN if name != "series" else 6),
            )
        )
    return parts


def parse(sheet: Worksheet, form: Mapping[str, Any], prefix: str = "entries.") -> dict[str, Any]:
    """Entries from flat form fields ("entries.emotions.0.intensity"). Empty fields are left
    out; numbers that do not parse are kept as text so validation names them."""
    entries: dict[str, Any] = {}
    for name, spec in sheet.properties.items():
        if spec.get("type") == "array":
            rows = parse_rows(sheet, name, spec, form, prefix)
            if rows:
                entries[name] = rows
            continue
        value = typed(spec, form.get(prefix + name))
        if value is not None:
            entries[name] = value
    return entries


def parse_rows(
    sheet: Worksheet, name: str, spec: Mapping[str, Any], form: Mapping[str, Any], prefix: str
) -> list[dict[str, Any]]:
    return [values for _row, values in form_rows(spec, name, form, prefix)]


def form_rows(
    spec: Mapping[str, Any], name: str, form: Mapping[str, Any], prefix: str
) -> list[tuple[int, dict[str, Any]]]:
    """A list's rows that are not empty, each with its place on the form (0 for the first)."""
    rows = []
    for row in range(spec.get("maxItems", ROWS_SHOWN)):
        values = {}
        for column, column_spec in spec["items"]["properties"].items():
            value = typed(column_spec, form.get(f"{prefix}{name}.{row}.{column}"))
            if value is not None:
                values[column] = value
        if values:
            rows.append((row, values))
    return rows


def typed(spec: Mapping[str, Any], raw: Any) -> Any:
    if spec.get("type") == "boolean":
        return raw in (True, "on", "true", "1", 1) or None
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if spec.get("type") == "integer":
        return number_from(raw)
    return str(raw).strip()


def number_from(raw: Any) -> Any:
    """A rating as the phone sends it: a JSON number or the text typed. Text goes through the
    project's one number rule (ASCII digits: "٣", "１０" and "1_0" are no ratings); a JSON
    true is no number either. What is not a number is kept as given, for validation to name."""
    if isinstance(raw, bool):
        return str(raw).lower()
    if isinstance(raw, int):
        return raw
    number = whole_number(raw) if isinstance(raw, str) else None
    return str(raw) if number is None else number


@cache
def validator_for(slug: str, version: int) -> jsonschema.Draft202012Validator:
    # Building a validator compiles the schema; every entry of a worksheet reuses one.
    return jsonschema.Draft202012Validator(get(slug, version).schema)


def validate(sheet: Worksheet, entries: Mapping[str, Any]) -> dict[str, str]:
    """Problems by form field name, in words a client understands. Empty when all is well."""
    problems: dict[str, str] = {}
    validator = validator_for(sheet.slug, sheet.version)
    for error in validator.iter_errors(dict(entries)):
        path = [str(part) for part in error.absolute_path]
        if error.validator == "required":
            path.append(str(error.message).split("'")[1])
        name = ".".join(path) or "__all__"
        problems.setdefault(name, message_for(sheet, path, error))
    return problems


def message_for(sheet: Worksheet, path: list[str], error: Any) -> str:
    label = sheet.label(path[-1]) if path and not path[-1].isdigit() else sheet.title
    schema = error.schema
    if error.validator == "required" or error.validator == "minLength":
        return _("Please fill in “%(label)s”.") % {"label": label}
    if error.validator in ("minimum", "maximum") or (
        error.validator == "type" and "minimum" in schema
    ):
        return _("“%(label)s”: enter a whole number from %(low)s to %(high)s.") % {
            "label": label,
            "low": schema.get("minimum"),
            "high": schema.get("maximum"),
        }
    if error.validator == "maxLength":
        return _("“%(label)s” is too long: please keep it under %(n)s characters.") % {
            "label": label,
            "n": schema["maxLength"],
        }
    if error.validator == "minItems":
        return _("Please add at least one line to “%(label)s”.") % {"label": label}
    if error.validator == "maxItems":
        return _("“%(label)s” has too many lines (at most %(n)s).") % {
            "label": label,
            "n": schema["maxItems"],
        }
    return _("“%(label)s” is not filled in as expected.") % {"label": label}
