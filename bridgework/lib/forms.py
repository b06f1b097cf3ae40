"""The base of every form in Bridgework: `Form` and `ModelForm` put each text field under the
one text rule (lib.text) and each whole-number field under the one number rule (lib.numbers).

Declaring the rule here rather than field by field means a new form, or a field a form adds
in its __init__, cannot miss it; bridgework/tests/test_forms.py checks that every form in the
project stands on these two classes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, TypeVar

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _

from bridgework.lib import text
from bridgework.lib.numbers import whole_number

if TYPE_CHECKING:
    # django-stubs makes these generic in their model; Django's own classes take no subscript
    # at run time, so the subscripted bases exist for the type checker only.
    BaseModelForm = forms.ModelForm[Any]
    ChoiceOfRows = forms.ModelChoiceField[Any]
    ChoicesOfRows = forms.ModelMultipleChoiceField[Any]
else:
    BaseModelForm = forms.ModelForm
    ChoiceOfRows = forms.ModelChoiceField
    ChoicesOfRows = forms.ModelMultipleChoiceField

F = TypeVar("F", bound=forms.Field)


class TextRuleValidator:
    """Refuses a text holding a character no record may hold, naming the field."""

    def __init__(self, label: object) -> None:
        self.label = label

    def __call__(self, value: object) -> None:
        refusal = text.refused_in(value) if isinstance(value, str) else None
        if refusal is not None:
            raise ValidationError(refusal.message(self.label), code="refused_character")


def normalised(data: Any) -> Any:
    """Bound data with the line ends of every text made LF (see lib.text.normalise)."""
    if isinstance(data, MultiValueDict):
        copy = data.copy()
        for key, values in data.lists():
            copy.setlist(key, [text.normalise(v) if isinstance(v, str) else v for v in values])
        return copy
    if isinstance(data, Mapping):
        return {k: text.normalise(v) if isinstance(v, str) else v for k, v in data.items()}
    return data


def is_whole_number_field(field: forms.Field) -> bool:
    # FloatField and DecimalField are IntegerFields to Django; they have rules of their own.
    return isinstance(field, forms.IntegerField) and not isinstance(
        field, (forms.FloatField, forms.DecimalField)
    )


class TextRules(forms.BaseForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = normalised(self.data)

    def full_clean(self) -> None:
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                under_text_rule(field, field.label or name)
        super().full_clean()
        if self.is_bound:
            self.check_whole_numbers()

    def check_whole_numbers(self) -> None:
        """Django's IntegerField reads "٣", "１０" and "1_0" as numbers (int() does); the
        project's rule takes ASCII digits only, as check-ins, worksheets and questionnaires
        do."""
        for name, field in self.fields.items():
            if not is_whole_number_field(field) or self.cleaned_data.get(name) is None:
                continue
            raw = self[name].data
            if whole_number(raw) is None:
                self.add_error(
                    name,
                    _("“%(label)s”: enter a whole number in the digits 0 to 9.")
                    % {"label": field.label or name},
                )


def under_text_rule(field: forms.CharField, label: object) -> None:
    # Django's own NUL check says less than ours (and would say it a second time).
    kept = [v for v in field.validators if not isinstance(v, ProhibitNullCharactersValidator)]
    if not any(isinstance(v, TextRuleValidator) for v in kept):
        kept.append(TextRuleValidator(label))
    field.validators = kept


class Form(TextRules, forms.Form):
    pass


class ModelForm(TextRules, BaseModelForm):
    pass


def field_of(form: forms.BaseForm, name: str, kind: type[F]) -> F:
    """The form's field `name`, as the kind of field it is, for a form that fits a field to
    its request (the rows a choice offers, its choices)."""
    field = form.fields[name]
    if not isinstance(field, kind):
        raise TypeError(f"{type(form).__name__}.{name} is a {type(field).__name__}, not a {kind}")
    return field
