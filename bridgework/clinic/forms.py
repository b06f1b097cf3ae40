from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.actions import CLINIC_SETTINGS
from bridgework.accounts.addresses import free_address
from bridgework.accounts.forms import AddressField
from bridgework.accounts.models import (
    DUTY_CONTACT_INVALID,
    HOURS_TO_ESCALATION,
    STAFF_ROLES,
    Approach,
    Clinic,
    User,
    normalize_email,
)
from bridgework.lib.forms import ChoicesOfRows, Form, ModelForm, field_of
from bridgework.lib.timezones import time_zone_names

ROLE_LABELS = {
    "clinic_admin": _("Clinic admin"),
    "therapist": _("Therapist"),
    "supervisor": _("Supervisor"),
    "researcher": _("Researcher"),
}
ROLE_CHOICES = [(role, ROLE_LABELS[role]) for role in STAFF_ROLES]
TIME_ZONE_CHOICES = [(name, name) for name in time_zone_names()]


def staff_of(clinic: Clinic, **roles: bool) -> Any:
    return User.objects.filter(clinic=clinic, kind=User.Kind.STAFF, is_active=True, **roles)


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(
            choices=ROLE_CHOICES,
            label=_("Roles"),
            error_messages={"required": _("Pick at least one role.")},
            **kwargs,
        )


class StaffInviteForm(Form):
    email = AddressField(label=_("E-mail"))
    roles = RolesField()
    approach = forms.ChoiceField(
        label=_("Therapy approach"),
        required=False,
        choices=[("", _("— not a therapist —")), *Approach.choices],
    )

    def clean_email(self) -> str:
        return free_address(self.cleaned_data["email"])


class StaffForm(Form):
    roles = RolesField()
    approach = forms.ChoiceField(
        label=_("Therapy approach"),
        required=False,
        choices=[("", _("— not a therapist —")), *Approach.choices],
    )
    supervisees = forms.ModelMultipleChoiceField(
        label=_("Supervises"),
        required=False,
        queryset=User.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only for supervisors: whose action-plan work they oversee (read-only)."),
    )
    is_active = forms.BooleanField(label=_("May sign in"), required=False)

    def __init__(self, *args: Any, person: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.person = person
        others = staff_of(person.clinic, is_therapist=True).exclude(pk=person.pk)
        field_of(self, "supervisees", ChoicesOfRows).queryset = others

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("supervisees") and "supervisor" not in data.get("roles", []):
            self.add_error(
                "supervisees",
                _("Only a supervisor supervises. Tick the supervisor role, or clear these boxes."),
            )
        return data


class CareTeamField(ChoicesOfRows):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(
            queryset=staff_of(clinic).filter(is_therapist=True)
            | staff_of(clinic, is_supervisor=True),
            label=_("Care team"),
            error_messages={"required": _("Choose at least one therapist.")},
            **kwargs,
        )

    def clean(self, value: Any) -> Any:
        members = super().clean(value)
        if members is not None and not any(member.is_therapist for member in members):
            raise forms.ValidationError(_("A care team needs at least one therapist."))
        return members


class NewClientForm(Form):
    full_name = forms.CharField(label=_("Client's full name"), max_length=120)
    email = AddressField(
        label=_("Client's e-mail"),
        required=False,
        help_text=_("We send the invitation link here. Leave empty to invite later."),
    )
    time_zone = forms.ChoiceField(
        label=_("Client's time zone"),
        required=False,
        choices=[("", _("Same as the clinic")), *TIME_ZONE_CHOICES],
    )

    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["care_team"] = CareTeamField(clinic)

    def clean_email(self) -> str:
        email = self.cleaned_data["email"]
        return free_address(email) if email else ""


class CareTeamForm(Form):
    def __init__(self, *args: Any, clinic: Clinic, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["care_team"] = CareTeamField(clinic)


class ClientInviteForm(Form):
    email = AddressField(label=_("Client's e-mail"))

    def clean_email(self) -> str:
        return free_address(self.cleaned_data["email"])


class SignInAddressForm(Form):
    """A new address on record for a person who has an account (accounts.actions.change_email
    refuses an address someone else signs in with or is invited at)."""

    email = AddressField(
        label=_("New sign-in e-mail"),
        help_text=_("They sign in with this address from now on; the old address is told."),
        error_messages={"required": _("Enter the new e-mail address.")},
    )


class ClinicSettingsForm(ModelForm):
    time_zone = forms.ChoiceField(label=_("Time zone"), choices=TIME_ZONE_CHOICES)

    class Meta:
        model = Clinic
        fields = list(CLINIC_SETTINGS)
        error_messages = {
            "risk_escalation_hours": {
                "invalid": HOURS_TO_ESCALATION,
                "min_value": HOURS_TO_ESCALATION,
                "max_value": HOURS_TO_ESCALATION,
                "required": HOURS_TO_ESCALATION,
            },
            "duty_contact_email": {"invalid": DUTY_CONTACT_INVALID},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A form sent without the choice (an older page still open) keeps what is set.
        self.fields["staff_second_factor"].required = False

    def clean_staff_second_factor(self) -> str:
        return str(self.cleaned_data["staff_second_factor"] or self.instance.staff_second_factor)

    def clean(self) -> dict[str, Any]:
        """ "A passkey only" says which second factor; without "staff need a second factor" no
        factor is asked for, and the choice would silently do nothing."""
        cleaned = super().clean() or {}
        passkey_only = cleaned.get("staff_second_factor") == Clinic.SecondFactor.PASSKEY
        if passkey_only and not cleaned.get("staff_mfa_required"):
            self.add_error(
                "staff_second_factor",
                _(
                    "“A passkey only” applies when staff need a second factor: tick “staff "
                    "need a second factor” too, or choose “an authenticator app or a passkey”."
                ),
            )
        return cleaned

    def clean_duty_contact_email(self) -> str:
        """Risk escalations go to the clinic's own people: never to a client's address (an
        address picked by mistake from a list)."""
        email = normalize_email(self.cleaned_data["duty_contact_email"])
        if email and User.objects.filter(email=email, kind=User.Kind.CLIENT).exists():
            raise forms.ValidationError(
                _(
                    "This is a client's sign-in address. The duty contact must be someone at "
                    "the clinic: enter their address, or leave this empty."
                )
            )
        return email
