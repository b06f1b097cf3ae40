from __future__ import annotations

from bridgework.supervision.beside import Pair, coded_items, share_of
from bridgework.supervision.monthly import Share
from bridgework.supervision.scales import FOLDER, SHIPPED


def test_the_shipped_scales_items_name_the_indicators_they_match() -> None:
    import json

    definition = json.loads((FOLDER / f"{SHIPPED}.json").read_text(encoding="utf-8"))
    found = {item.link_id: item.codes for item in coded_items(definition)}
    assert found == {
        "links": ("a", "b"),
        "collaboration": ("a",),
        "rationale": ("c",),
        "obstacles": ("d",),
        "importance-confidence": ("f",),
        "summary": ("e",),
        "non-completion": ("g",),
    }


def test_an_item_naming_two_indicators_pools_them_and_g_reads_the_reviewed_plans() -> None:
    set_in = [{"a": True, "b": False, "g": None}, {"a": True, "b": True, "g": None}]
    reviewed = [{"a": False, "g": False}]
    assert share_of(["a", "b"], set_in, reviewed) == Share(3, 4)
    assert share_of(["g"], set_in, reviewed) == Share(0, 1)
    assert share_of(["g"], set_in, []) == Share(0, 0)


def test_records_and_ratings_disagree_from_half_the_scale_apart() -> None:
    assert Pair(Share(1, 2), 6.0, 1).verdict == "The rating is higher than the records"
    assert Pair(Share(1, 2), 5.9, 1).verdict == "They agree"
    assert Pair(Share(2, 2), 3.0, 1).verdict == "The records are higher than the rating"
    assert Pair(Share(2, 2), 3.1, 1).verdict == "They agree"
    assert Pair(Share(0, 0), 3.0, 1).verdict == ""
    assert Pair(Share(1, 1), None, 0).verdict == ""
    assert not Pair(Share(1, 2), 5.9, 1).disagree and Pair(Share(2, 2), 0.0, 1).disagree
