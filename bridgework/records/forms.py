from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.lib.forms import Form
from bridgework.records.models import ErasureRequest


class RetentionForm(Form):
    years_after_therapy = forms.IntegerField(
        label=_("Years kept after the end of therapy"),
        min_value=1,
        max_value=100,
        error_messages={
            "required": _("Enter how many years records are kept, like 10."),
            "invalid": _("Enter the years as a whole number, like 10."),
            "min_value": _("Keep records at least %(limit_value)s year after therapy."),
            "max_value": _("Keep records at most %(limit_value)s years after therapy."),
        },
    )


class LegalHoldForm(Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=300,
        required=False,  # records.actions.place_hold refuses it empty, naming the field
        help_text=_("Why the law requires the records kept (a court case, a claim…)."),
    )
    ends_on = forms.DateField(
        label=_("Kept until"),
        required=False,  # likewise
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": _("Kept until: enter a date like 2031-06-30.")},
    )


class ErasureRequestForm(Form):
    received_from = forms.ChoiceField(
        label=_("Who asked"),
        choices=ErasureRequest.From.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Say who asked for the erasure: the client, or the clinic for them."),
            "invalid_choice": _(
                "Say who asked for the erasure: the client, or the clinic for them."
            ),
        },
    )
