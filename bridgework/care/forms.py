from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import User
from bridgework.care.models import Client, Consent
from bridgework.lib.forms import ChoiceOfRows, Form, field_of


class GoalForm(Form):
    text = forms.CharField(
        label=_("New goal, in the client's own words"),
        max_length=300,
        error_messages={
            "required": _("Write the goal as the client put it."),
            "max_length": _("Keep the goal under %(limit_value)d characters."),
        },
    )


class SessionForm(Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        error_messages={
            "required": _("Enter the date and time of the session."),
            "invalid": _("Enter a date and time like 2026-11-24 14:00."),
        },
    )
    therapist = forms.ModelChoiceField(label=_("Therapist"), queryset=User.objects.none())
    takeaway = forms.CharField(
        label=_("What the client took away"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("In the client's words where possible. You can add it after the session."),
    )

    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        therapists = client.care_team.filter(is_therapist=True, is_active=True)
        field = field_of(self, "therapist", ChoiceOfRows)
        field.queryset = therapists
        field.empty_label = None
        if not self.is_bound:
            self.initial.setdefault(
                "starts_at", timezone.localtime().replace(second=0, microsecond=0)
            )


class SessionUpdateForm(SessionForm):
    def __init__(self, *args: Any, client: Client, **kwargs: Any) -> None:
        super().__init__(*args, client=client, **kwargs)
        del self.fields["therapist"]


# Research consent has a page of its own (it says what is agreed and asks before a withdrawal);
# the settings page's one-tap buttons are for the ways of being reminded.
REMINDER_PURPOSES = [
    (value, label) for value, label in Consent.Purpose.choices if value != Consent.Purpose.RESEARCH
]


def yes_or_no() -> forms.TypedChoiceField:
    """A consent's button: "yes" gives it, "no" withdraws it."""
    return forms.TypedChoiceField(
        choices=[("yes", "yes"), ("no", "no")], coerce=lambda value: value == "yes"
    )


class ResearchConsentForm(Form):
    given = yes_or_no()


class ReminderConsentForm(Form):
    purpose = forms.ChoiceField(choices=REMINDER_PURPOSES)
    given = yes_or_no()


class EndOfTherapyForm(Form):
    finished_on = forms.DateField(
        label=_("Last day of therapy"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={
            "required": _("Enter the day therapy ended, like 2026-11-24."),
            "invalid": _("Enter the day therapy ended as a date like 2026-11-24."),
        },
    )
