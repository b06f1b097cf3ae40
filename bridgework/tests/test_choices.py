"""The models' own `get_<field>_display` (lib.choices, read from a mapping kept per language)
says exactly what Django's would, for every choice, in English and in German."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Field, Model
from django.test import SimpleTestCase
from django.utils import translation


def fields_with_our_display() -> list[tuple[type[Model], Field[Any, Any]]]:
    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if field.choices is not None
        and getattr(model.__dict__.get(f"get_{field.name}_display"), "__module__", "")
        == "bridgework.lib.choices"
    ]


class ChoiceLabelsTests(SimpleTestCase):
    def test_the_hot_models_name_their_choices_through_lib_choices(self) -> None:
        names = {f"{model.__name__}.{field.name}" for model, field in fields_with_our_display()}
        expected = {"Flag.kind", "FlagNotice.audience", "PracticeLog.outcome"}
        expected |= {"ActionPlan.status", "Review.decision"}
        self.assertLessEqual(expected, names)

    def test_each_label_is_djangos_own_in_english_and_in_german(self) -> None:
        germans = 0
        for model, field in fields_with_our_display():
            for value in [*(choice for choice, _label in field.flatchoices), "no-such-value"]:
                instance = model(**{field.attname: value})
                ours = getattr(instance, f"get_{field.name}_display")
                for language in ("en", "de", "en"):
                    with translation.override(language):
                        django = instance._get_FIELD_display(field)  # type: ignore[attr-defined]
                        self.assertEqual(ours(), django, (model, field.name, value, language))
                        self.assertIs(type(ours()), type(django))
                with translation.override("de"):
                    german = ours()
                with translation.override("en"):
                    germans += german != ours()
        self.assertGreater(germans, 0)  # the German catalogue was read, not only the English
