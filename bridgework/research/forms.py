"""The research pages' forms: setting up a study, granting access, asking for an export."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Clinic, User
from bridgework.lib.forms import ChoiceOfRows, ChoicesOfRows, Form, field_of
from bridgework.research.export.tables import TABLES
from bridgework.research.models import Export, Study


def date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def initial_of(study: Study) -> dict[str, Any]:
    return {
        "name": study.name,
        "purpose": study.purpose,
        "starts_on": study.starts_on,
        "ends_on": study.ends_on,
        "clinics": list(study.clinics.values_list("pk", flat=True)),
        "tables": list(study.tables),
        "include_free_text": study.include_free_text,
        "shift_dates": study.shift_dates,
    }


class StudyForm(Form):
    """A study's facts. The clinics offered are the admin's own (a study takes no other
    clinic's data), chosen when it is set up and read-only afterwards; the tables are the
    codebook's, each with its title. A plain form, not a ModelForm: the action changes the
    study, and its audit row compares it with the study as it was, which a ModelForm would
    have changed in memory while validating."""

    name = forms.CharField(label=_("Name"), max_length=120)
    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What the study asks, and the approval it runs under."),
    )
    starts_on = forms.DateField(
        label=_("Data from"),
        widget=date_widget(),
        help_text=_("The first day whose records the study takes."),
    )
    ends_on = forms.DateField(
        label=_("Data until"),
        widget=date_widget(),
        help_text=_("The last day whose records the study takes."),
    )
    clinics = ChoicesOfRows(
        label=_("Clinics"),
        queryset=Clinic.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose the clinic whose data the study takes.")},
    )
    tables = forms.MultipleChoiceField(
        label=_("Tables"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one table for the study to take.")},
    )
    include_free_text = forms.BooleanField(
        label=_("Include free text"),
        required=False,
        help_text=_(
            "What clients and staff wrote in their own words. Left out unless the study's "
            "approval covers it."
        ),
    )
    shift_dates = forms.BooleanField(
        label=_("Shift dates per client"),
        required=False,
        initial=True,
        help_text=_("Moves each client's dates by a random number of days, keeping intervals."),
    )

    def __init__(self, *args: Any, clinic: Clinic, study: Study | None = None, **kwargs: Any):
        if study is not None:
            kwargs.setdefault("initial", initial_of(study))
        super().__init__(*args, **kwargs)
        self.study = study
        if study is not None:
            # A study's clinics are set when it is set up: the edit page shows them as text,
            # and nothing sent can change them.
            del self.fields["clinics"]
        else:
            field_of(self, "clinics", ChoicesOfRows).queryset = Clinic.objects.filter(pk=clinic.pk)
            self.initial.setdefault("clinics", [clinic.pk])
        field_of(self, "tables", forms.MultipleChoiceField).choices = [
            (name, _(table.title)) for name, table in TABLES.items()
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        starts_on, ends_on = cleaned.get("starts_on"), cleaned.get("ends_on")
        if starts_on and ends_on and ends_on < starts_on:
            self.add_error("ends_on", _("The data period ends before it starts: swap the dates."))
        return cleaned

    def facts(self) -> dict[str, Any]:
        """The cleaned facts, as the actions take them."""
        data = self.cleaned_data
        return {
            "name": data["name"],
            "purpose": data["purpose"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "tables": list(data["tables"]),
            "include_free_text": data["include_free_text"],
            "shift_dates": data["shift_dates"],
            "clinics": list(data["clinics"] if self.study is None else self.study.clinics.all()),
        }


class ResearcherChoice(ChoiceOfRows):
    def label_from_instance(self, obj: User) -> str:
        return f"{obj.full_name} ({obj.email})"


class AccessForm(Form):
    """Grant or revoke one researcher's access."""

    researcher = ResearcherChoice(
        label=_("Researcher"),
        queryset=User.objects.none(),
        error_messages={
            "required": _("Choose a researcher."),
            "invalid_choice": _("Choose one of your clinic's researchers."),
        },
    )
    action = forms.ChoiceField(choices=[("grant", _("Grant")), ("revoke", _("Revoke"))])

    def __init__(self, *args: Any, researchers: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "researcher", ResearcherChoice).queryset = researchers


class ExportForm(Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=Export.Format.choices,
        initial=Export.Format.PARQUET,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose CSV or Parquet as the export's format."),
            "invalid_choice": _("Choose CSV or Parquet as the export's format."),
        },
    )
