"""A field's choice labels (`get_<field>_display()`) from a mapping built once per field and
language, for the models whose labels pages show by the dozen.

Django's own `get_FOO_display` flattens the field's choices and makes them hashable again on
every call (about 60 µs each); the therapist's client page names the kind of every flag, who
each notice went to, the outcome of every entry and the status of every plan, some 80 calls a
render. The labels are mostly lazy translations, so a mapping is kept per active language: a
label comes out in the reader's language exactly as Django's would.

    class Flag(models.Model):
        kind = models.CharField(max_length=20, choices=Kind.choices)
        get_kind_display = choices.display("kind")

Django leaves a `get_<field>_display` the class defines itself in place.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.signals import setting_changed
from django.db.models import Field, Model
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language

# (field, language) → {value: label}. A handful of fields times the languages offered: small.
_labels: dict[tuple[Field[Any, Any], str | None], dict[Any, Any]] = {}
_MISSING = object()

# What would change a label already read: the languages, or where their catalogues come from.
_RESETTING = {"LANGUAGES", "LANGUAGE_CODE", "LOCALE_PATHS", "INSTALLED_APPS"}


def label(field: Field[Any, Any], value: Any) -> Any:
    """The label of `value` among the field's choices in the active language; a value that is
    no choice comes back as Django gives it (a string as text, a number or None as it is)."""
    key = (field, get_language())
    labels = _labels.get(key)
    if labels is None:
        labels = _labels[key] = {
            make_hashable(choice): force_str(name, strings_only=True)
            for choice, name in field.flatchoices
        }
    found = labels.get(make_hashable(value), _MISSING)
    return force_str(value, strings_only=True) if found is _MISSING else found


def display(name: str) -> Callable[[Model], Any]:
    """A `get_<name>_display` method for a model's class body."""
    fields: dict[type[Model], Field[Any, Any]] = {}  # the model (or a subclass) → its field

    def get_display(self: Model) -> Any:
        field = fields.get(type(self))
        if field is None:
            found = type(self)._meta.get_field(name)
            assert isinstance(found, Field)  # a concrete field with choices, not a relation's end
            field = fields[type(self)] = found
        return label(field, getattr(self, field.attname))

    get_display.__name__ = f"get_{name}_display"
    return get_display


def forget(*, setting: str, **_kwargs: Any) -> None:
    """Drop the labels read so far when a setting they depend on changes (tests do that)."""
    if setting in _RESETTING:
        _labels.clear()


setting_changed.connect(forget, dispatch_uid="bridgework.lib.choices.forget")
