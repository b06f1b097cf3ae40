from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.lib.forms import Form
from bridgework.measures.models import Flag


class AcknowledgeForm(Form):
    note = forms.CharField(
        label=_("Note"), required=False, max_length=Flag._meta.get_field("note").max_length
    )
