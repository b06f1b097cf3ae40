from __future__ import annotations

from typing import Any

from django import forms
from django.http import QueryDict

from bridgework.lib.forms import Form


class NoteForm(Form):
    note = forms.CharField(label="Note", max_length=5, required=False)
    minutes = forms.IntegerField(label="Minutes", required=False)
    weight = forms.FloatField(label="Weight", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["later"] = forms.CharField(label="Added later", required=False)


def test_a_control_character_is_refused_naming_the_field_once() -> None:
    form = NoteForm({"note": "a\x00b"})
    assert not form.is_valid()
    assert form.errors["note"] == [
        "“Note” contains an invisible control character (U+0000) that cannot be stored. "
        "Please delete it; tabs and line breaks are fine."
    ]


def test_a_field_added_after_the_form_was_made_follows_the_rule_too() -> None:
    form = NoteForm({"later": "x\x1by"})
    assert not form.is_valid()
    assert "“Added later” contains an invisible control character" in form.errors["later"][0]


def test_line_breaks_from_a_browser_count_once_against_the_limit() -> None:
    form = NoteForm(QueryDict("note=ab%0D%0Acd"))  # five characters once CRLF is LF
    assert form.is_valid(), form.errors
    assert form.cleaned_data["note"] == "ab\ncd"
    assert form["note"].value() == "ab\ncd"  # and shown again as kept


def test_whole_numbers_take_ascii_digits_only() -> None:
    assert NoteForm({"minutes": " 12 "}).is_valid()
    for slip in ("٣", "１０", "1_0"):  # int() reads them all, so Django's field would too
        form = NoteForm({"minutes": slip})
        assert not form.is_valid(), slip
        assert form.errors["minutes"] == ["“Minutes”: enter a whole number in the digits 0 to 9."]
    assert NoteForm({"minutes": "²"}).errors["minutes"] == ["Enter a whole number."]


def test_other_numbers_keep_their_own_rules() -> None:
    assert NoteForm({"weight": "2.5"}).is_valid()
