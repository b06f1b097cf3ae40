"""The clinic admin's form for taking in a client's FHIR record."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Clinic, User
from bridgework.lib.forms import ChoiceOfRows, Form

MAX_BYTES = 10 * 1024 * 1024  # two years of a client's record is well under 2 MB


class ImportForm(Form):
    record = forms.FileField(
        label=_("The client's record (a FHIR Bundle, JSON)"),
        error_messages={"required": _("Choose the record's file (a FHIR Bundle, JSON).")},
    )
    therapist = ChoiceOfRows(
        queryset=User.objects.none(),
        label=_("Therapist who takes the client on"),
        empty_label=None,
        error_messages={"invalid_choice": _("Choose one of your clinic's therapists.")},
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["therapist"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(
            clinic=clinic, is_active=True, is_therapist=True
        ).order_by("full_name")

    def clean_record(self) -> object:
        upload = self.cleaned_data["record"]
        if upload.size > MAX_BYTES:
            raise forms.ValidationError(
                _("The file is larger than 10 MB: export one client's record.")
            )
        try:
            return json.loads(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise forms.ValidationError(
                _("The file is not JSON (UTF-8): choose the Bundle exported as a .json file.")
            ) from None
