from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.lib.forms import Form


class ScaleForm(Form):
    name = forms.CharField(
        label=_("Scale, in words the client uses"),
        max_length=60,
        help_text=_("For example: mood, anxiety, urge to check, energy."),
    )
    low_anchor = forms.CharField(label=_("0 means"), max_length=60, initial=_("not at all"))
    high_anchor = forms.CharField(label=_("100 means"), max_length=60, initial=_("extremely"))
