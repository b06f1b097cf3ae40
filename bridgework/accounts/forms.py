from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from bridgework.accounts import addresses
from bridgework.accounts.models import Invitation, User
from bridgework.lib.forms import Form


class AddressField(forms.EmailField):
    """An e-mail address someone signs in with (or will): never longer than the column holds
    (Django's form default of 320 would pass what the column cannot store)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", addresses.MAX_LENGTH)
        messages = {
            "invalid": _("Enter an e-mail address like name@example.org."),
            "max_length": addresses.TOO_LONG,
            **kwargs.pop("error_messages", {}),
        }
        super().__init__(error_messages=messages, **kwargs)


class SignInForm(Form):
    email = forms.EmailField(
        label=_("E-mail"),
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class CodeForm(Form):
    code = forms.RegexField(
        label=_("6-digit code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": _("Enter the 6 digits your authenticator app shows now.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip()


class ChoosePasswordForm(Form):
    """A new password, typed twice, checked by Django's password validators (their messages
    say what is expected) against the person it is for."""

    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 10 characters; not a common password, not only digits."),
    )
    password2 = forms.CharField(
        label=_("The same password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def candidate(self, data: dict[str, Any]) -> User:
        raise NotImplementedError

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        elif first:
            try:
                password_validation.validate_password(first, self.candidate(data))
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class AcceptInvitationForm(ChoosePasswordForm):
    """Choose a password (and, for staff, say your name) to finish setting up the account."""

    full_name = forms.CharField(label=_("Your full name"), max_length=120)
    field_order = ["full_name", "password1", "password2"]

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        if invitation.kind == User.Kind.CLIENT:
            del self.fields["full_name"]

    def candidate(self, data: dict[str, Any]) -> User:
        return User(email=self.invitation.email, full_name=data.get("full_name", ""))


class NewPasswordForm(ChoosePasswordForm):
    """Choose a new password through a reset link."""

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["password1"].label = _("Choose a new password")

    def candidate(self, data: dict[str, Any]) -> User:
        return self.user


class ForgotPasswordForm(Form):
    email = AddressField(
        label=_("E-mail"),
        help_text=_("The address you sign in with."),
        error_messages={"required": _("Enter the e-mail address you sign in with.")},
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True}),
    )


class LanguageForm(Form):
    """The language one's pages, e-mails and PDFs are in (staff; clients choose in Settings)."""

    language = forms.ChoiceField(
        label=_("Language"),
        choices=settings.LANGUAGES,
        help_text=_("Your pages and the e-mails Bridgework sends you are in this language."),
        error_messages={"invalid_choice": _("Choose one of the languages in the list.")},
    )
