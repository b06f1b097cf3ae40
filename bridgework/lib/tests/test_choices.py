from __future__ import annotations

from django.db import models
from django.test import override_settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _lazy

from bridgework.lib import choices

# "Yes" and "No" are Django's own words, translated in its German catalogue.
ANSWER: models.CharField[str, str] = models.CharField(
    choices=[("y", _lazy("Yes")), ("n", _lazy("No")), ("", "—")]
)


def test_a_label_comes_out_in_the_active_language_each_time_it_is_asked() -> None:
    with translation.override("en"):
        assert choices.label(ANSWER, "y") == "Yes"
    with translation.override("de"):
        assert choices.label(ANSWER, "y") == "Ja"
    with translation.override("en"):
        assert choices.label(ANSWER, "n") == "No"


def test_a_label_is_plain_text_not_a_lazy_translation() -> None:
    with translation.override("de"):
        assert type(choices.label(ANSWER, "n")) is str


def test_a_value_that_is_no_choice_comes_back_as_django_gives_it() -> None:
    assert choices.label(ANSWER, "maybe") == "maybe"
    assert choices.label(ANSWER, None) is None
    assert choices.label(ANSWER, 3) == 3
    assert choices.label(ANSWER, "") == "—"


def test_changing_the_languages_forgets_the_labels_read_so_far() -> None:
    with translation.override("de"):
        assert choices.label(ANSWER, "y") == "Ja"
    with override_settings(LANGUAGES=[("en", "English"), ("de", "German")]):
        assert choices._labels == {}
