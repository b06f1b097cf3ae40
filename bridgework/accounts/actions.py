"""Every change to clinics, staff accounts and invitations: one function each, audited."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.utils import reset as clear_sign_in_failures
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from bridgework.accounts import mail, recovery
from bridgework.accounts.addresses import free_address
from bridgework.accounts.models import (
    STAFF_ROLES,
    Clinic,
    Invitation,
    PasswordReset,
    Supervision,
    User,
    normalize_email,
)
from bridgework.accounts.passkeys import authenticator_apps_of, passkey_required, passkeys_of
from bridgework.accounts.signals import signed_out_everywhere
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed, noted, snapshot
from bridgework.lib.tokens import new_token, token_hash

CREATE, CHANGE, DELETE = (
    AccessEvent.Action.CREATE,
    AccessEvent.Action.CHANGE,
    AccessEvent.Action.DELETE,
)
CLINIC_SETTINGS = (
    "name",
    "time_zone",
    "action_plan_word",
    "action_plan_word_plural",
    "staff_mfa_required",
    "staff_second_factor",
    "idle_timeout_minutes",
    "crisis_resources",
    "non_engagement_reviews",
    "silence_days",
    "duty_contact_email",
    "risk_escalation_hours",
    "default_language",
)


# Roles that open clients' records. An admin who grants one to themselves (or supervisees to
# themselves) would reach records that their admin role keeps them away from.
READS_RECORDS = ("is_therapist", "is_supervisor", "is_researcher")


class SelfGrantRefused(Exception):
    """An admin tried to widen their own access to clients' records; another admin must."""


class ClientHasAccount(Exception):
    """A client who has an account already is not invited again: an invitation would hand
    their record (private diary included) to whoever accepts it. A training client (a
    role-play's made-up client) is no person and never has one: its reminders would reach
    whoever accepted."""


class SecondFactorResetRefused(Exception):
    """Another clinic admin must reset this authenticator app."""


class SelfResetRefused(SecondFactorResetRefused):
    """A member of staff tried to reset their own second factor; another admin must, so a
    stolen password alone never replaces the authenticator."""


class OneAdminRefused(SecondFactorResetRefused):
    """The admin changed this person's address or sent them a reset link lately: resetting
    their authenticator too would hand them the whole account (accounts.recovery)."""


class PasskeyRemovalRefused(Exception):
    """Removing this passkey would leave a member of staff without the second factor their
    clinic requires."""


class ResetUnusable(Exception):
    def __init__(self, reset: PasswordReset) -> None:
        super().__init__(reset.state)
        self.reset = reset


class InvitationUnusable(Exception):
    def __init__(self, invitation: Invitation) -> None:
        super().__init__(invitation.state)
        self.invitation = invitation


@transaction.atomic
def create_clinic(*, name: str, time_zone: str, by: User | None = None, **fields: Any) -> Clinic:
    clinic = Clinic.objects.create(name=name, time_zone=time_zone, **fields)
    changed(by, CREATE, clinic)
    return clinic


@transaction.atomic
def update_clinic_settings(clinic: Clinic, *, by: User, **fields: Any) -> Clinic:
    unknown = set(fields) - set(CLINIC_SETTINGS)
    if unknown:
        raise ValueError(f"Not clinic settings: {', '.join(sorted(unknown))}")
    was = snapshot(clinic)
    for name, value in fields.items():
        setattr(clinic, name, value)
    clinic.full_clean()
    clinic.save(update_fields=list(fields))
    changed(by, CHANGE, clinic, before=was)
    return clinic


@transaction.atomic
def create_staff(
    *,
    clinic: Clinic,
    email: str,
    full_name: str,
    password: str | None,
    roles: list[str],
    by: User | None,
    approach: str = "",
) -> User:
    user = User.objects.create_user(
        email,
        password,
        full_name=full_name,
        clinic=clinic,
        kind=User.Kind.STAFF,
        approach=approach,
        language=clinic.default_language,
        **role_fields(roles),
    )
    changed(by, CREATE, user)
    return user


def role_fields(roles: list[str]) -> dict[str, bool]:
    unknown = set(roles) - set(STAFF_ROLES)
    if unknown:
        raise ValueError(f"Unknown roles: {', '.join(sorted(unknown))}")
    return {f"is_{role}": role in roles for role in STAFF_ROLES}


@transaction.atomic
def set_roles(user: User, roles: list[str], *, by: User, approach: str | None = None) -> User:
    fields = role_fields(roles)
    gained = [name for name in READS_RECORDS if fields[name] and not getattr(user, name)]
    if by == user and gained:
        raise SelfGrantRefused(
            _(
                "No one gives themselves a role that reads clients' records: ask another "
                "clinic admin."
            )
        )
    was = snapshot(user)
    for name, value in fields.items():
        setattr(user, name, value)
    if approach is not None:
        user.approach = approach
    user.save()
    changed(by, CHANGE, user, before=was)
    return user


@transaction.atomic
def set_supervisees(supervisor: User, supervisees: list[User], *, by: User) -> None:
    current = set(
        Supervision.objects.filter(supervisor=supervisor).values_list("supervisee", flat=True)
    )
    if by == supervisor and {s.pk for s in supervisees} - current:
        raise SelfGrantRefused(
            _(
                "No one adds supervisees to themselves (it opens their clients' records): "
                "ask another clinic admin."
            )
        )
    Supervision.objects.filter(supervisor=supervisor).exclude(supervisee__in=supervisees).delete()
    for supervisee in supervisees:
        Supervision.objects.get_or_create(supervisor=supervisor, supervisee=supervisee)
    now = {supervisee.pk for supervisee in supervisees}
    noted(
        by,
        CHANGE,
        "supervision",
        supervisor.pk,
        clinic_id=supervisor.clinic_id,
        detail={"added": sorted(now - current), "removed": sorted(current - now)},
    )


@transaction.atomic
def set_active(user: User, active: bool, *, by: User) -> None:
    was = snapshot(user)
    user.is_active = active
    user.save(update_fields=["is_active"])
    changed(by, CHANGE, user, before=was)


@transaction.atomic
def reset_second_factor(user: User, *, by: User) -> None:
    """For a staff member who lost their authenticator: they enrol a new one at next sign-in
    (or at once, if signed in: their verified session no longer has a device). They are told
    by e-mail, at the address on record and at any it replaced lately."""
    if by == user:
        raise SelfResetRefused(
            _("No one resets their own authenticator app: ask another clinic admin.")
        )
    devices = TOTPDevice.objects.filter(user=user)
    keys = WebAuthnCredential.objects.filter(user=user)
    # (else no second factor yet to take)
    had_one = devices.filter(confirmed=True).exists() or keys.filter(confirmed=True).exists()
    if had_one and recovery.readdressed_by(user, by):
        raise OneAdminRefused(
            _(
                "You changed %(name)s's sign-in address or sent them a reset link in the last "
                "%(days)d days, so another clinic admin must reset their authenticator app "
                "(or you, once %(days)d days have passed). One admin alone never takes all "
                "three steps."
            )
            % {"name": user.full_name, "days": recovery.WINDOW.days}
        )
    _total, deleted = devices.delete()
    _total, passkeys_deleted = keys.delete()
    noted(
        by,
        DELETE,
        "second-factor",
        user.pk,
        clinic_id=user.clinic_id,
        detail={
            "devices": deleted.get(TOTPDevice._meta.label, 0),
            "passkeys": passkeys_deleted.get(WebAuthnCredential._meta.label, 0),
        },
    )
    if had_one:
        recovery.note(user, recovery.SECOND_FACTOR, by=by)
        mail.queue_second_factor_reset(user)


@transaction.atomic
def start_second_factor(user: User, *, by: User) -> TOTPDevice:
    """The authenticator app a staff member is setting up, not yet confirmed: made on their
    first look at the set-up page and the same one on every look after, since its key is in
    the QR code they scan. So opening the page again changes nothing and records nothing."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one set-up at a time
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, confirmed=False, name=_("Authenticator app"))
        noted(by, CREATE, "second-factor-setup", user.pk, clinic_id=user.clinic_id)  # key: secret
    return device


@transaction.atomic
def confirm_second_factor(device: TOTPDevice, *, by: User) -> None:
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    noted(by, CREATE, "second-factor", by.pk, clinic_id=by.clinic_id)  # its key is a secret


@transaction.atomic
def register_passkey(passkey: WebAuthnCredential, *, by: User) -> None:
    """A passkey the person just registered (django-otp-webauthn verified and saved it in
    this transaction): it gets a first name to change, and the trail its number. Its key is
    public, but nothing about it needs to be in the trail."""
    passkey.name = _("Passkey %(number)d") % {"number": passkeys_of(by).count()}
    passkey.save(update_fields=["name"])
    noted(by, CREATE, "passkey", passkey.pk, clinic_id=by.clinic_id, client_id=client_id_of(by))


@transaction.atomic
def rename_passkey(passkey: WebAuthnCredential, name: str, *, by: User) -> None:
    """The name is the person's own words ("Robin's phone"): the trail names the field only."""
    passkey.name = name
    passkey.save(update_fields=["name"])
    noted(
        by,
        CHANGE,
        "passkey",
        passkey.pk,
        clinic_id=by.clinic_id,
        client_id=client_id_of(by),
        detail={"fields": ["name"]},
    )


@transaction.atomic
def remove_passkey(passkey: WebAuthnCredential, *, by: User) -> None:
    """Refused when it is the last second factor a member of staff's clinic requires: the
    last passkey where the clinic asks for a passkey, or the last of any kind otherwise.
    (Clients keep their password, so they may remove every passkey.)"""
    user = passkey.user
    User.objects.select_for_update().filter(pk=user.pk).first()  # one removal at a time
    other_passkeys = passkeys_of(user).exclude(pk=passkey.pk).exists()
    if passkey_required(user) and not other_passkeys:
        raise PasskeyRemovalRefused(
            _(
                "Your clinic asks staff to confirm sign-in with a passkey, and this is your "
                "last one. Register another passkey first, then remove this one."
            )
        )
    required = user.is_staff_member and user.clinic.staff_mfa_required
    if required and not other_passkeys and not authenticator_apps_of(user).exists():
        raise PasskeyRemovalRefused(
            _(
                "Your clinic asks staff for a second factor, and this passkey is your last "
                "one. Register another passkey or set up an authenticator app first."
            )
        )
    removed = passkey.pk
    passkey.delete()
    noted(by, DELETE, "passkey", removed, clinic_id=user.clinic_id, client_id=client_id_of(user))


@transaction.atomic
def invite(
    *,
    clinic: Clinic,
    email: str,
    kind: str,
    by: User | None,
    roles: list[str] | None = None,
    client: Any = None,
    send: bool = True,
) -> tuple[Invitation, str]:
    """Create an invitation and queue its e-mail (accounts.mail). Returns the invitation and,
    when the caller hands the link over itself (`send=False`), its raw token, which is never
    stored (only its hash is); a sent invitation's link is made when its e-mail goes, so
    nothing but the message ever holds it, and the token returned is then empty."""
    if client is not None and has_account(client):
        raise ClientHasAccount(
            _("%(name)s has an account already; they sign in with it.") % {"name": client.full_name}
        )
    if client is not None and getattr(client, "is_training", False):
        raise ClientHasAccount(
            _("%(name)s is a training client for a role-play, not a person: no one is invited.")
            % {"name": client.full_name}
        )
    token = new_token()
    invitation = Invitation.objects.create(
        clinic=clinic,
        email=normalize_email(email),
        kind=kind,
        roles=roles or [],
        client=client,
        token_hash=token_hash(token),
        created_by=by,
        expires_at=timezone.now() + timedelta(days=settings.INVITATION_DAYS),
    )
    changed(by, CREATE, invitation)
    if send:
        mail.queue_invitation(invitation)
        token = ""
    return invitation, token


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, by: User) -> None:
    was = snapshot(invitation)
    if invitation.state == Invitation.State.OPEN:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
    changed(by, CHANGE, invitation, before=was, scope=(invitation.clinic_id, None))


def has_account(client: Any, *, lock: bool = False) -> bool:
    """Whether the client record (a care.Client, which stands above accounts: read through its
    own model, never imported) has an account now, in the database."""
    found = type(client)._default_manager.filter(pk=client.pk)
    # Locked, the row stays locked until the transaction ends, whether or not it has an
    # account yet: two links accepted at once then take turns.
    row = (found.select_for_update() if lock else found).values_list("user_id", flat=True)
    return row.first() is not None


@transaction.atomic
def reissue_invitation(old: Invitation, *, by: User) -> tuple[Invitation, str]:
    revoke_invitation(old, by=by)
    return invite(
        clinic=old.clinic, email=old.email, kind=old.kind, by=by, roles=old.roles, client=old.client
    )


@transaction.atomic
def request_new_invitation(invitation: Invitation) -> None:
    """The invitee asks for a fresh link; the clinic admins see the request beside it."""
    was = snapshot(invitation)
    invitation.renewal_requested_at = timezone.now()
    invitation.save(update_fields=["renewal_requested_at"])
    changed(None, CHANGE, invitation, before=was, scope=(invitation.clinic_id, None))


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.select_related("clinic", "client")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def accept_invitation(invitation: Invitation, *, password: str, full_name: str = "") -> User:
    """Create the account the invitation is for. Refuses a used, withdrawn or expired one,
    checking again under a row lock so two clicks on the same link make one account."""
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.state != Invitation.State.OPEN:
        raise InvitationUnusable(invitation)
    if invitation.client is not None and has_account(invitation.client, lock=True):
        raise InvitationUnusable(invitation)  # (acceptance withdraws the others; see below)
    if invitation.client is not None:
        user = User(
            email=invitation.email,
            full_name=invitation.client.full_name,
            clinic=invitation.clinic,
            kind=User.Kind.CLIENT,
            language=invitation.clinic.default_language,
        )
    else:
        user = User(
            email=invitation.email,
            full_name=full_name,
            clinic=invitation.clinic,
            kind=User.Kind.STAFF,
            language=invitation.clinic.default_language,
            **role_fields(invitation.roles),
        )
    if User.objects.filter(email=invitation.email).exists():
        raise ValidationError(
            _(
                "An account with this e-mail address exists already. Sign in instead, or ask your "
                "clinic to invite another address."
            ),
            code="email_taken",
        )
    validate_password(password, user)
    user.set_password(password)
    user.save()
    if invitation.client is not None:
        invitation.client.user = user
        invitation.client.save(update_fields=["user"])
        still_open = invitation.client.invitations.filter(accepted_at=None, revoked_at=None)
        for other in still_open.exclude(pk=invitation.pk):
            revoke_invitation(other, by=user)  # older links must not re-link the record
    invitation.accepted_at, invitation.accepted_by = timezone.now(), user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    changed(
        user,
        CREATE,
        user,
        scope=(invitation.clinic_id, invitation.client_id),
        detail={"invitation": invitation.pk},
    )
    return user


@transaction.atomic
def set_language(user: User, language: str, *, by: User) -> None:
    if language not in dict(settings.LANGUAGES):
        raise ValueError(f"Unknown language {language!r}")
    was = snapshot(user)
    user.language = language
    user.save(update_fields=["language"])
    changed(by, CHANGE, user, before=was)


def client_id_of(user: User) -> int | None:
    """The client record of a client's account (its chain in the audit trail), else None."""
    record = getattr(user, "client_record", None) if user.is_client else None
    return getattr(record, "pk", None)


def withdraw_password_resets(user: User) -> None:
    user.password_resets.filter(used_at=None, withdrawn_at=None).update(withdrawn_at=timezone.now())


@transaction.atomic
def issue_password_reset(user: User, *, by: User | None) -> tuple[PasswordReset, str]:
    """A new link to choose a password, valid for PASSWORD_RESET_MINUTES; the person's older
    links stop working. Returns the raw token, which is never stored (only its hash is)."""
    withdraw_password_resets(user)
    token = new_token()
    reset = PasswordReset.objects.create(
        user=user,
        token_hash=token_hash(token),
        password_stamp=user.get_session_auth_hash(),
        sent_by=by,
        expires_at=timezone.now() + timedelta(minutes=settings.PASSWORD_RESET_MINUTES),
    )
    changed(by, CREATE, reset, scope=(user.clinic_id, client_id_of(user)))
    return reset, token


@transaction.atomic
def ask_for_password_reset(email: str) -> None:
    """Someone on the sign-in page asked for a link for `email`: if an active account uses
    that address, a link is issued and its e-mail queued. The caller answers the same either
    way and calls this only after its answer has gone (`lib.web.after_response`), so neither
    the words nor the time taken tell whether the address has an account."""
    user = (
        User.objects.select_related("clinic")
        .filter(email=normalize_email(email), is_active=True)
        .first()
    )
    if user is not None:
        reset, _token = issue_password_reset(user, by=None)  # the e-mail gets its own link
        mail.queue_password_reset(reset)


@transaction.atomic
def send_password_reset(user: User, *, by: User) -> PasswordReset:
    """A clinic admin sends a person a link to the address on record (never to another)."""
    if not user.is_active:
        raise ValidationError(
            _("%(name)s's sign-in is turned off. Turn it on first, then send the link.")
            % {"name": user.full_name}
        )
    reset, _token = issue_password_reset(user, by=by)  # the e-mail gets its own link
    mail.queue_password_reset(reset)
    return reset


def find_password_reset(token: str) -> PasswordReset | None:
    return (
        PasswordReset.objects.select_related("user__clinic")
        .filter(token_hash=token_hash(token))
        .first()
    )


@transaction.atomic
def choose_new_password(reset: PasswordReset, *, password: str) -> User:
    """Set the password through a reset link. The link is checked again under a row lock, so
    it works once however often it is sent. Every session of the person ends: Django keeps
    an HMAC of the password hash in each session and drops sessions where it no longer
    matches, the client's 90-day phone sessions included."""
    locked = PasswordReset.objects.select_for_update().select_related("user__clinic")
    reset = locked.get(pk=reset.pk)
    if reset.state != PasswordReset.State.OPEN:
        raise ResetUnusable(reset)
    user = reset.user
    validate_password(password, user)
    was = snapshot(user)
    user.set_password(password)
    user.save(update_fields=["password"])
    reset.used_at = timezone.now()
    reset.save(update_fields=["used_at"])
    withdraw_password_resets(user)
    scope = (user.clinic_id, client_id_of(user))
    changed(user, CHANGE, user, before=was, object_type="password", scope=scope)  # hash: named
    if user.is_client:
        forget_passkeys_after_reset(user)
    # Failed sign-ins before the reset would otherwise keep the new password out for a while.
    clear_sign_in_failures(username=user.email)
    signed_out_everywhere.send(sender=User, user=user)
    return user


def forget_passkeys_after_reset(user: User) -> None:
    """A client who needed a link to get back in may have lost the phone their passkey is
    on: its passkeys go with the old password, and they register a new one. (The link alone
    gets a client in anyway. A member of staff keeps theirs: a link to their address must
    never replace their second factor; a clinic admin's reset does that.)"""
    for passkey in passkeys_of(user):
        removed = passkey.pk
        passkey.delete()
        noted(
            user,
            DELETE,
            "passkey",
            removed,
            clinic_id=user.clinic_id,
            client_id=client_id_of(user),
            detail={"by": "password-reset"},
        )


@transaction.atomic
def change_email(user: User, email: str, *, by: User) -> None:
    """Change the address a person signs in with. The old address is told (it may be the real
    owner's, and this is how they would learn of a take-over); open reset links to it stop
    working. Refused while the same admin's reset of the person's authenticator waits for a
    new one (accounts.recovery). The audit row names the field only: addresses are identity
    data, and the trail is append-only, so a value written there could never be erased."""
    new, old = normalize_email(email), user.email
    if new == old:
        raise ValidationError(
            _("That is the address on record already. Enter the new address."), code="same"
        )
    validate_email(new)
    free_address(new, keep=user)
    if recovery.second_factor_reset_by(user, by):
        raise ValidationError(
            _(
                "You reset %(name)s's authenticator app in the last %(days)d days and they "
                "have not set up a new one yet, so another clinic admin must change their "
                "sign-in address (or you, once %(days)d days have passed)."
            )
            % {"name": user.full_name, "days": recovery.WINDOW.days},
            code="another_admin",
        )
    was = snapshot(user)
    user.email = new
    user.save(update_fields=["email"])
    withdraw_password_resets(user)
    recovery.note(user, recovery.ADDRESS, by=by, old_email=old)
    scope = (user.clinic_id, client_id_of(user))
    changed(by, CHANGE, user, before=was, object_type=f"{user.kind}-email", scope=scope)
    mail.queue_address_changed(user, old_address=old)
