"""The one rule for an address someone is to sign in with: how long it may be, and whether it
is free (nobody signs in with it, and no open invitation is for it)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Invitation, User, normalize_email

# What the column holds (Django's EmailField: 254, the longest address SMTP can deliver to).
MAX_LENGTH: int = User._meta.get_field("email").max_length  # type: ignore[assignment]
TOO_LONG = _("This address is too long. Enter an address of at most %(limit_value)d characters.")
TAKEN = _("Someone already signs in with this e-mail address. Use another address.")
INVITED = _(
    "This address has an open invitation already. Withdraw it or send it again from the "
    "clinic page."
)


def free_address(email: str, *, keep: User | None = None) -> str:
    """`email`, normalised, if nobody else may come to sign in with it; `keep` is the person
    whose own address it may be. Else a ValidationError saying why."""
    email = normalize_email(email)
    if len(email) > MAX_LENGTH:
        raise ValidationError(TOO_LONG, code="max_length", params={"limit_value": MAX_LENGTH})
    others = User.objects.filter(email=email)
    if keep is not None:
        others = others.exclude(pk=keep.pk)
    if others.exists():
        raise ValidationError(TAKEN, code="email_taken")
    open_invitations = Invitation.objects.filter(email=email, accepted_at=None, revoked_at=None)
    if any(invitation.state == Invitation.State.OPEN for invitation in open_invitations):
        raise ValidationError(INVITED, code="invited")
    return email
