from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.interop.models import Area
from bridgework.lib.forms import Form

READ, READ_WRITE = "read", "read-write"
SUGGESTED_LIFE = timedelta(days=90)


class TokenForm(Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=80,
        help_text=_("Where the token is used, so you can tell it apart later."),
    )
    access = forms.ChoiceField(
        label=_("Access"),
        choices=[(READ, _("Read only")), (READ_WRITE, _("Read and change"))],
        initial=READ,
        widget=forms.RadioSelect,
    )
    areas = forms.MultipleChoiceField(
        label=_("Areas"), choices=Area.choices, widget=forms.CheckboxSelectMultiple
    )
    expires_on = forms.DateField(
        label=_("Works until"),
        help_text=_("At most 366 days from today. Write it like 2027-03-31."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["expires_on"].initial = timezone.localdate() + SUGGESTED_LIFE
