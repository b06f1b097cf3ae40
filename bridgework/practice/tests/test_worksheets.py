"""Each worksheet's validation: required fields, and the numeric bounds under hypothesis."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgework.practice import worksheets

SHEETS = [
    "quick",
    "thought-record",
    "behavioural-experiment",
    "exposure-log",
    "activity-schedule",
    "relaxation-log",
    "noticing-log",
    "free-diary",
]
VALID: dict[str, dict[str, Any]] = {
    "quick": {"how_it_went": 60},
    "thought-record": {
        "situation": "Meeting",
        "emotions": [{"name": "shame", "intensity": 80}],
        "automatic_thought": "They think I'm useless",
        "belief_before": 90,
        "alternative_thought": "One pause isn't failing",
        "belief_alternative": 40,
        "emotions_after": [{"name": "shame", "intensity": 45}],
    },
    "behavioural-experiment": {
        "belief": "If I ask, they'll be annoyed",
        "belief_before": 85,
        "prediction": "She will sigh",
        "belief_after": 30,
    },
    "exposure-log": {
        "situation": "Bus, four stops",
        "distress_before": 70,
        "distress_peak": 85,
        "distress_after": 30,
        "duration_minutes": 25,
        "series": [{"minute": 0, "distress": 70}, {"minute": 10, "distress": 50}],
    },
    "activity-schedule": {
        "activity": "Walk to the park",
        "done": True,
        "pleasure": 6,
        "mastery": 7,
    },
    "relaxation-log": {"tension_before": 70, "tension_after": 35},
    "noticing-log": {"noticed": "I apologised twice", "rating": 40},
    "free-diary": {"entry": "A better day."},
}


def bounded(
    schema: dict[str, Any], path: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], int, int]]:
    """Every integer field with its bounds, as (path, low, high)."""
    found = []
    for name, spec in schema.get("properties", {}).items():
        if spec.get("type") == "integer":
            found.append(((*path, name), spec["minimum"], spec["maximum"]))
        elif spec.get("type") == "array":
            found += bounded(spec["items"], (*path, name, "0"))
    return found


def with_value(entries: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    entries = {
        key: ([dict(row) for row in v] if isinstance(v, list) else v) for key, v in entries.items()
    }
    target: Any = entries
    for step in path[:-1]:
        if step.isdigit():
            while len(target) <= int(step):
                target.append({})
            target = target[int(step)]
        else:
            target = target.setdefault(step, [])
    target[path[-1]] = value
    return entries


def complete(sheet: worksheets.Worksheet, entries: dict[str, Any]) -> dict[str, Any]:
    """Fill any other field a row needs, so only the value under test can be wrong."""
    for name, spec in sheet.properties.items():
        if spec.get("type") == "array":
            for row in entries.get(name, []):
                for column, column_spec in spec["items"]["properties"].items():
                    row.setdefault(column, 0 if column_spec["type"] == "integer" else "x")
    return entries


@pytest.mark.parametrize("slug", SHEETS)
def test_a_complete_entry_is_accepted(slug: str) -> None:
    assert worksheets.validate(worksheets.current(slug), VALID[slug]) == {}


@pytest.mark.parametrize("slug", SHEETS)
def test_each_required_field_is_asked_for_by_its_label(slug: str) -> None:
    sheet = worksheets.current(slug)
    for name in sheet.schema["required"]:
        entries = {key: value for key, value in VALID[slug].items() if key != name}
        problems = worksheets.validate(sheet, entries)
        assert problems == {name: f"Please fill in “{sheet.label(name)}”."}


@pytest.mark.parametrize("slug", SHEETS)
@given(data=st.data())
def test_numbers_inside_the_bounds_pass_and_outside_fail(slug: str, data: st.DataObject) -> None:
    sheet = worksheets.current(slug)
    for path, low, high in bounded(sheet.schema):
        inside = data.draw(st.integers(low, high))
        outside = data.draw(
            st.one_of(st.integers(max_value=low - 1), st.integers(min_value=high + 1))
        )
        name = ".".join(path)
        good = complete(sheet, with_value(VALID[slug], path, inside))
        assert name not in worksheets.validate(sheet, good)
        bad = complete(sheet, with_value(VALID[slug], path, outside))
        assert f"enter a whole number from {low} to {high}" in worksheets.validate(sheet, bad)[name]


def test_form_fields_become_typed_entries_and_empty_rows_vanish() -> None:
    sheet = worksheets.current("thought-record")
    form = {
        "entries.situation": " Meeting ",
        "entries.belief_before": "90",
        "entries.emotions.0.name": "shame",
        "entries.emotions.0.intensity": "80",
        "entries.emotions.1.name": "",
        "entries.emotions.1.intensity": "",
    }
    assert worksheets.parse(sheet, form) == {
        "situation": "Meeting",
        "belief_before": 90,
        "emotions": [{"name": "shame", "intensity": 80}],
    }


def test_a_number_typed_as_words_is_named_in_the_problem() -> None:
    sheet = worksheets.current("relaxation-log")
    entries = worksheets.parse(sheet, {"entries.tension_before": "a lot"})
    assert (
        "enter a whole number from 0 to 100"
        in worksheets.validate(sheet, entries)["tension_before"]
    )


def test_overlong_text_is_refused_with_the_limit() -> None:
    sheet = worksheets.current("free-diary")
    problems = worksheets.validate(sheet, {"entry": "x" * 5001})
    assert problems == {
        "entry": "“What I want to write down” is too long: please keep it under 5000 characters."
    }


def test_every_worksheet_has_labels_in_both_languages() -> None:
    for sheet in worksheets.all_versions().values():
        names = worksheets.names_needing_labels(sheet.schema)
        assert names <= set(sheet.labels["en"]) and names <= set(sheet.labels["de"]), sheet.slug
        assert set(sheet.titles) == {"en", "de"}
