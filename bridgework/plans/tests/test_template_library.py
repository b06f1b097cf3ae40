from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bridgework.accounts.models import Approach
from bridgework.plans.library import LIBRARY, TemplateFileError, read_library, sync_shipped
from bridgework.plans.models import Kind, PlanTemplate


def test_the_library_holds_at_least_fifteen_templates_covering_every_kind() -> None:
    templates = read_library()
    assert len(templates) >= 15
    assert {t["kind"] for t in templates} == {kind.value for kind in Kind}


def test_every_template_is_worded_for_every_approach_and_plans_for_obstacles() -> None:
    for template in read_library():
        assert set(template["wording"]) == {approach.value for approach in Approach}
        assert template["obstacles"], template["slug"]
        wordings = {w["instructions"] for w in template["wording"].values()}
        assert len(wordings) == len(Approach), f"{template['slug']} repeats a wording"


def copy_library(tmp_path: Path) -> Path:
    folder = tmp_path / "library"
    shutil.copytree(LIBRARY, folder)
    return folder


def test_a_broken_file_is_reported_by_file_template_and_field(tmp_path: Path) -> None:
    folder = copy_library(tmp_path)
    path = folder / "slow-breathing.json"
    data = json.loads(path.read_text())
    del data["wording"]["humanistic"]["rationale"]
    path.write_text(json.dumps(data))
    with pytest.raises(TemplateFileError) as raised:
        read_library(folder)
    message = str(raised.value)
    assert "slow-breathing.json: template 'slow-breathing': field 'wording/humanistic'" in message
    assert "'rationale' is a required property" in message


def test_a_wrong_kind_and_bad_json_are_reported_too(tmp_path: Path) -> None:
    folder = copy_library(tmp_path)
    data = json.loads((folder / "worry-time.json").read_text())
    data["kind"] = "hypnosis"
    (folder / "worry-time.json").write_text(json.dumps(data))
    (folder / "read-and-reflect.json").write_text("{ not json")
    with pytest.raises(TemplateFileError) as raised:
        read_library(folder)
    assert "worry-time.json: template 'worry-time': field 'kind'" in str(raised.value)
    assert "read-and-reflect.json: not valid JSON at line 1" in str(raised.value)


@pytest.mark.django_db
def test_migrate_loaded_the_shipped_templates_and_syncing_again_changes_nothing() -> None:
    before = PlanTemplate.objects.filter(clinic=None, is_active=True).count()
    assert before == len(read_library())
    assert sync_shipped() == before
    assert PlanTemplate.objects.filter(clinic=None).count() == before


@pytest.mark.django_db
def test_a_broken_library_loads_nothing(tmp_path: Path) -> None:
    folder = copy_library(tmp_path)
    (folder / "worry-time.json").write_text("[]")
    PlanTemplate.objects.filter(slug="slow-breathing").update(title="Unchanged")
    with pytest.raises(TemplateFileError):
        sync_shipped(folder)
    assert PlanTemplate.objects.get(slug="slow-breathing").title == "Unchanged"


def test_a_control_character_in_a_template_is_reported_by_file_and_field(tmp_path: Path) -> None:
    folder = copy_library(tmp_path)
    path = folder / "worry-time.json"
    data = json.loads(path.read_text())
    data["title"] = "Worry\u0007time"
    path.write_text(json.dumps(data))
    with pytest.raises(TemplateFileError) as raised:
        read_library(folder)
    assert "worry-time.json: field 'title': contains an invisible control character" in str(
        raised.value
    )


@pytest.mark.django_db
def test_every_shipped_template_suggests_a_reminder() -> None:
    for template in read_library():
        assert template.get("reminders", {}).get("kind"), template["slug"]
    shipped = PlanTemplate.objects.get(slug="worry-time", clinic=None)
    assert shipped.reminders["times"] == ["18:00"]


@pytest.mark.parametrize(
    ("reminders", "field", "says"),
    [
        ({"kind": "fixed", "times": ["7pm"]}, "reminders/times/0", "does not match"),
        ({"kind": "weekly", "times": ["19:00"]}, "reminders/kind", "is not one of"),
        (
            {"kind": "random", "window_start": "21:00", "window_end": "09:00"},
            "reminders/window_end",
            "must end after it starts",
        ),
        ({"kind": "fixed"}, "reminders/times", "Add at least one time."),
    ],
)
def test_a_malformed_suggested_reminder_is_reported_by_file_template_and_field(
    tmp_path: Path, reminders: dict[str, object], field: str, says: str
) -> None:
    folder = copy_library(tmp_path)
    path = folder / "worry-time.json"
    data = json.loads(path.read_text())
    data["reminders"] = reminders
    path.write_text(json.dumps(data))
    with pytest.raises(TemplateFileError) as raised:
        read_library(folder)
    message = str(raised.value)
    assert message.startswith(f"worry-time.json: template 'worry-time': field '{field}': ")
    assert says in message
