"""The training pages' forms: filtering the scenario library, assigning a scenario."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Approach, User
from bridgework.lib.forms import ChoiceOfRows, Form, field_of
from bridgework.supervision.access import supervisees_of
from bridgework.supervision.scenarios import scale_items


class LibraryFilter(Form):
    """Which scenarios to show: by the competence item they exercise and the approach they
    are written for. An unknown value shows the whole library rather than an error."""

    item = forms.ChoiceField(label=_("Exercises the item"), required=False)
    approach = forms.ChoiceField(
        label=_("Approach"),
        required=False,
        choices=[("", _("Any approach")), *Approach.choices],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "item", forms.ChoiceField).choices = [
            ("", _("Any item")),
            *scale_items().items(),
        ]

    def chosen(self) -> tuple[str, str]:
        if not self.is_valid():
            return "", ""
        return self.cleaned_data["item"], self.cleaned_data["approach"]


class AssignForm(Form):
    trainee = forms.ModelChoiceField(
        label=_("Therapist"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose the therapist who will practise this scenario."),
            "invalid_choice": _("Choose one of the therapists you supervise."),
        },
    )
    note = forms.CharField(
        label=_("Note to the therapist"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What to pay attention to, when to practise it. Optional."),
        error_messages={"max_length": _("Keep the note under %(limit_value)d characters.")},
    )

    def __init__(self, *args: Any, supervisor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only therapists this supervisor supervises: a role-play's client needs a therapist
        # on its care team.
        field_of(self, "trainee", ChoiceOfRows).queryset = supervisees_of(supervisor).filter(
            is_therapist=True
        )
