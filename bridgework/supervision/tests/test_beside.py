from __future__ import annotations

import json

from bridgework.supervision.beside import ItemBeside, Verdict, coded_items, share_of
from bridgework.supervision.monthly import Share
from bridgework.supervision.scales import SHIPPED_PATH


def test_the_shipped_scales_items_name_the_indicators_they_match() -> None:
    definition = json.loads(SHIPPED_PATH.read_text(encoding="utf-8"))
    found = {item.link_id: item.codes for item in coded_items(definition)}
    assert found == {
        "review": ("g",),
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
    assert ItemBeside(Share(1, 2), 6.0, 1).verdict is Verdict.RATING_HIGHER
    assert ItemBeside(Share(1, 2), 5.9, 1).verdict is Verdict.AGREE
    assert ItemBeside(Share(2, 2), 3.0, 1).verdict is Verdict.RECORDS_HIGHER
    assert ItemBeside(Share(2, 2), 3.1, 1).verdict is Verdict.AGREE
    assert ItemBeside(Share(0, 0), 3.0, 1).verdict is None
    assert ItemBeside(Share(1, 1), None, 0).verdict is None
    assert not ItemBeside(Share(1, 2), 5.9, 1).disagree
    assert ItemBeside(Share(2, 2), 0.0, 1).disagree
    assert not ItemBeside(Share(0, 0), 0.0, 1).disagree


def test_a_verdict_is_told_in_words_only_on_the_page() -> None:
    assert Verdict.RATING_HIGHER.label == "The rating is higher than the records"
    assert Verdict.AGREE.label == "They agree"
