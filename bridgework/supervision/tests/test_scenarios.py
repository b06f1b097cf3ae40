"""The scenario library: what it holds, and how a broken file is reported."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from bridgework.supervision import scenarios
from bridgework.supervision.scenarios import (
    FOLDER,
    REQUIRED_KINDS,
    ScenarioFileError,
    read_library,
    scale_items,
)


def test_the_library_holds_at_least_twelve_scenarios_with_every_required_kind() -> None:
    library = read_library()
    assert len(library) >= 12
    assert {scenario.kind for scenario in library.values()} >= REQUIRED_KINDS


def test_every_scenario_exercises_items_of_the_competence_scale() -> None:
    items = set(scale_items())
    for scenario in read_library().values():
        assert scenario.items, scenario.slug
        assert set(scenario.items) <= items, scenario.slug


def test_every_scenario_has_aims_a_hint_and_the_clients_words_last() -> None:
    for scenario in read_library().values():
        assert 2 <= len(scenario.aims) <= 4, scenario.slug
        assert scenario.hint.strip(), scenario.slug
        assert scenario.moment[-1].is_client, scenario.slug
        assert 80 <= len(scenario.vignette.split()) <= 200, scenario.slug


def test_the_library_covers_every_approach_and_some_scenarios_bring_an_earlier_plan() -> None:
    library = read_library().values()
    assert {s.approach for s in library} == {"cbt", "psychodynamic", "humanistic", "integrative"}
    with_setup = [s for s in library if s.setup is not None]
    assert len(with_setup) >= 8
    assert {s.setup.practice.outcome for s in with_setup if s.setup} >= {"none", "partly", "done"}


def test_the_shipped_library_is_read_once_per_process() -> None:
    assert scenarios.library() is scenarios.library()
    assert scenarios.get("did-i-pass") is scenarios.library()["did-i-pass"]
    assert scenarios.get("no-such-scenario") is None


def test_the_library_filters_by_item_and_by_approach() -> None:
    obstacles = scenarios.matching(item="obstacles")
    assert obstacles and all("obstacles" in s.items for s in obstacles)
    humanistic = scenarios.matching(approach="humanistic")
    assert humanistic and all(s.approach == "humanistic" for s in humanistic)
    both = scenarios.matching(item="framing", approach="psychodynamic")
    assert [s.slug for s in both] == ["three-examples-for-you"]
    assert len(scenarios.matching()) == len(scenarios.library())


def broken(tmp_path: Path, slug: str, change: Any) -> str:
    """The loader's message after `change` edits one copied file."""
    folder = tmp_path / "scenarios"
    shutil.copytree(FOLDER, folder)
    path = folder / f"{slug}.json"
    data = json.loads(path.read_text())
    change(data)
    path.write_text(json.dumps(data))
    with pytest.raises(ScenarioFileError) as raised:
        read_library(folder)
    return str(raised.value)


def test_an_item_not_on_the_scale_is_reported_by_file_scenario_and_field(tmp_path: Path) -> None:
    message = broken(tmp_path, "did-i-pass", lambda d: d["items"].append("charisma"))
    assert "did-i-pass.json: scenario 'did-i-pass': field 'items/4'" in message
    assert "'charisma' is not an item of the competence scale" in message


def test_a_missing_field_and_a_wrong_value_are_named(tmp_path: Path) -> None:
    message = broken(tmp_path, "about-a-three", lambda d: d.pop("hint"))
    assert "about-a-three.json: scenario 'about-a-three': field '(the whole scenario)'" in message
    assert "'hint' is a required property" in message
    message = broken(
        tmp_path / "2",
        "no-room-to-worry",
        lambda d: d["setup"]["practice"].update(outcome="sort of"),
    )
    assert "field 'setup/practice/outcome'" in message


def test_a_vignette_of_the_wrong_length_is_refused(tmp_path: Path) -> None:
    message = broken(tmp_path, "did-i-pass", lambda d: d.update(vignette="Too short."))
    assert "field 'vignette': has 2 words; write 80 to 200" in message


def test_a_slug_must_be_the_file_name_and_a_kind_its_own(tmp_path: Path) -> None:
    message = broken(tmp_path, "did-i-pass", lambda d: d.update(slug="did-i-fail"))
    assert "did-i-pass.json: scenario 'did-i-fail': field 'slug': must match the file name" in (
        message
    )
    message = broken(tmp_path / "2", "did-i-pass", lambda d: d.update(kind="not-done"))
    assert "field 'kind': 'not-done' is" in message


def test_the_trainee_answers_the_client_so_the_last_line_is_the_clients(tmp_path: Path) -> None:
    def therapist_last(data: dict[str, Any]) -> None:
        data["moment"].append({"speaker": "therapist", "says": "I see."})

    message = broken(tmp_path, "did-i-pass", therapist_last)
    assert "field 'moment/3': the last line must be the client's" in message


def test_bad_json_and_a_control_character_are_reported_by_file(tmp_path: Path) -> None:
    folder = tmp_path / "scenarios"
    shutil.copytree(FOLDER, folder)
    (folder / "did-i-pass.json").write_text("{ not json")
    data = json.loads((folder / "about-a-three.json").read_text())
    data["title"] = "About a \x07three"
    (folder / "about-a-three.json").write_text(json.dumps(data))
    with pytest.raises(ScenarioFileError) as raised:
        read_library(folder)
    assert "did-i-pass.json: not valid JSON at line 1" in str(raised.value)
    assert "about-a-three.json: field 'title'" in str(raised.value)


def test_a_title_over_eighty_characters_is_refused_naming_the_file(tmp_path: Path) -> None:
    # The title names the role-play's training client, whose name has a limit (care.Client).
    message = broken(tmp_path, "did-i-pass", lambda d: d.update(title="Did I pass? " * 7))
    assert "did-i-pass.json: scenario 'did-i-pass': field 'title'" in message
    assert "is too long" in message
    assert all(len(s.title) <= scenarios.TITLE_LENGTH for s in read_library().values())
