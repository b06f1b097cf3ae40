from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bridgework.lib import text

REFUSED = ["\x00", "\x01", "\x07", "\x0b", "\x0c", "\x1b", "\x7f", "\x85", "\x9f"]
REFUSED += ["\ud800", "\udfff"]  # lone halves of a surrogate pair
WELCOME = ["Grüße", "Привет", "שלום", "你好", "😀", "👩‍👧", "a\tb", "one\ntwo", "\u200f", "\ufeff"]


def test_control_characters_and_lone_surrogates_are_refused_wherever_they_stand() -> None:
    for bad in REFUSED:
        for written in (bad, f"before{bad}", f"{bad}after", f"a{bad}b"):
            refusal = text.refused_in(written)
            assert refusal is not None, repr(written)
            assert refusal.character == bad
            assert written[refusal.position] == bad


def test_letters_of_every_script_emoji_tabs_and_line_breaks_are_welcome() -> None:
    for good in WELCOME:
        assert text.refused_in(good) is None, good
        assert text.clean(good, "Note") == good


def test_line_ends_become_lf_whichever_way_they_were_sent() -> None:
    assert text.clean("one\r\ntwo\rthree\nfour", "Note") == "one\ntwo\nthree\nfour"
    assert text.clean("\r\n\r\n", "Note") == "\n\n"


def test_a_refusal_names_the_field_and_says_what_to_do() -> None:
    with pytest.raises(text.TextRefused) as control:
        text.clean("hello\x00", "The situation I faced")
    assert str(control.value).startswith("“The situation I faced” contains an invisible control")
    assert "U+0000" in str(control.value)
    assert "tabs and line breaks are fine" in str(control.value)
    with pytest.raises(text.TextRefused) as broken:
        text.clean("smile \ud83d", "Note")
    assert "broken character (U+D83D: half of an emoji" in str(broken.value)


def test_the_message_can_always_be_shown_itself() -> None:
    with pytest.raises(text.TextRefused) as refused:
        text.clean("\ud800", "Note")
    str(refused.value).encode("utf-8")  # the refused character is named, never quoted


def test_nested_data_is_searched_keys_included_and_the_path_never_quotes_the_culprit() -> None:
    definition = {"item": [{"linkId": "1", "text": "fine"}, {"linkId": "2", "text": "bad\x07"}]}
    assert text.first_refused(definition) == ("item/1/text", text.Refusal("\x07", 3))
    assert text.first_refused({"ok": {"ba\ud800d": 1}}) == (
        "ok (a name in it)",
        text.Refusal("\ud800", 2),
    )
    assert text.first_refused("\x00") == ("(the whole value)", text.Refusal("\x00", 0))
    assert text.first_refused({"a": [1, True, None, "fine"]}) is None


@given(st.text(alphabet=st.characters(codec=None, categories=["L", "M", "N", "P", "S", "Zs"])))
def test_printable_text_is_kept_as_typed(written: str) -> None:
    assert text.clean(written, "Note") == written


@given(st.text(alphabet=st.characters(categories=["Cc", "Cs"], exclude_characters="\t\n\r")))
def test_any_control_or_surrogate_is_refused(written: str) -> None:
    assert (text.refused_in(written) is None) == (written == "")
