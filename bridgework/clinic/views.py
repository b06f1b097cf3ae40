"""The clinic admin's pages: staff and their roles, the client roster, care teams, settings."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bridgework.accounts import actions as accounts
from bridgework.accounts.access import get_staff_for_admin
from bridgework.accounts.http import AuthenticatedHttpRequest, clinic_admin_required
from bridgework.accounts.models import Clinic, Invitation, Supervision, User
from bridgework.care import actions as care
from bridgework.care.access import (
    Need,
    get_client_for_user,
    get_invitation_for_admin,
    invitations_for_admin,
    roster_for_admin,
)
from bridgework.care.models import Client
from bridgework.clinic.forms import (
    CareTeamForm,
    ClientInviteForm,
    ClinicSettingsForm,
    NewClientForm,
    SignInAddressForm,
    StaffForm,
    StaffInviteForm,
)
from bridgework.lib.web import safe_next

# The newest e-mails about a person's sign-in shown on their page (what is on its way, what
# went, what could not be sent).
EMAILS_SHOWN = 10


@clinic_admin_required
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = request.user
    return render(
        request,
        "clinic/overview.html",
        {
            "staff": User.objects.filter(clinic=admin.clinic, kind=User.Kind.STAFF)
            .prefetch_related("totpdevice_set")
            .order_by("full_name"),
            "invitations": invitations_for_admin(request)
            .filter(accepted_at=None)
            .select_related("client")
            .prefetch_related("emails")[:50],
        },
    )


@clinic_admin_required
def invite_staff(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = request.user
    form = StaffInviteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        accounts.invite(
            clinic=admin.clinic,
            kind=User.Kind.STAFF,
            by=admin,
            email=form.cleaned_data["email"],
            roles=form.cleaned_data["roles"],
        )
        messages.success(request, _("Invitation on its way to %(email)s.") % form.cleaned_data)
        return redirect("/clinic/")
    return render(request, "clinic/invite_staff.html", {"form": form})


def admins_staff_member(request: AuthenticatedHttpRequest, user_id: int) -> tuple[User, User]:
    return request.user, get_staff_for_admin(request, user_id)


def staff_page(
    request: AuthenticatedHttpRequest,
    person: User,
    *,
    form: StaffForm,
    address_form: SignInAddressForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "clinic/staff_member.html",
        {
            "person": person,
            "form": form,
            "address_form": address_form or SignInAddressForm(),
            "emails": person.account_emails.all()[:EMAILS_SHOWN],
        },
    )


@clinic_admin_required
def staff_member(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    admin, person = admins_staff_member(request, user_id)
    form = staff_form(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if person == admin and ("clinic_admin" not in data["roles"] or not data["is_active"]):
            form.add_error(
                None,
                _(
                    "You cannot remove your own admin role or sign-in: ask another "
                    "admin, so the clinic always keeps one."
                ),
            )
        else:
            try:
                with transaction.atomic():
                    accounts.set_roles(person, data["roles"], approach=data["approach"], by=admin)
                    accounts.set_supervisees(person, list(data["supervisees"]), by=admin)
                    if data["is_active"] != person.is_active:
                        accounts.set_active(person, data["is_active"], by=admin)
            except accounts.SelfGrantRefused as refused:
                form.add_error(None, str(refused))
            else:
                messages.success(request, _("Saved."))
                return redirect("/clinic/")
    return staff_page(request, person, form=form)


def staff_form(person: User, data: Any = None) -> StaffForm:
    initial = {
        "roles": person.roles,
        "approach": person.approach,
        "is_active": person.is_active,
        "supervisees": Supervision.objects.filter(supervisor=person).values_list(
            "supervisee", flat=True
        ),
    }
    return StaffForm(data, person=person, initial=initial)


@clinic_admin_required
@require_POST
def reset_second_factor(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    admin, person = admins_staff_member(request, user_id)
    try:
        accounts.reset_second_factor(person, by=admin)
    except accounts.SecondFactorResetRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request,
            _(
                "%(name)s will set up a new authenticator app at their next sign-in. An "
                "e-mail telling them is on its way."
            )
            % {"name": person.full_name},
        )
    return redirect(f"/clinic/staff/{person.pk}/")


@clinic_admin_required
@require_POST
def staff_address(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    admin, person = admins_staff_member(request, user_id)
    form = SignInAddressForm(request.POST)
    if change_address(request, person, form, by=admin):
        return redirect(f"/clinic/staff/{person.pk}/")
    return staff_page(request, person, form=staff_form(person), address_form=form)


@clinic_admin_required
@require_POST
def staff_password_reset(request: AuthenticatedHttpRequest, user_id: int) -> HttpResponse:
    admin, person = admins_staff_member(request, user_id)
    send_reset_link(request, person, by=admin)
    return redirect(f"/clinic/staff/{person.pk}/")


def change_address(
    request: AuthenticatedHttpRequest, person: User, form: SignInAddressForm, *, by: User
) -> bool:
    """Whether the address changed; if not, the form says why."""
    if not form.is_valid():
        return False
    try:
        accounts.change_email(person, form.cleaned_data["email"], by=by)
    except ValidationError as refused:
        form.add_error("email", refused)
        return False
    messages.success(
        request,
        _("%(name)s now signs in with %(email)s. An e-mail telling the old address is on its way.")
        % {"name": person.full_name, "email": person.email},
    )
    return True


def send_reset_link(request: AuthenticatedHttpRequest, person: User, *, by: User) -> None:
    try:
        accounts.send_password_reset(person, by=by)
    except ValidationError as refused:
        messages.error(request, " ".join(refused.messages))
        return
    messages.success(
        request,
        _(
            "A link to choose a new password is on its way to %(name)s's address on record. "
            "It works once, for %(minutes)d minutes after it is sent."
        )
        % {"name": person.full_name, "minutes": settings.PASSWORD_RESET_MINUTES},
    )


@clinic_admin_required
def roster(request: AuthenticatedHttpRequest) -> HttpResponse:
    clients = roster_for_admin(request).prefetch_related("care_team").select_related("user")
    return render(request, "clinic/roster.html", {"clients": clients})


@clinic_admin_required
def new_client(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = request.user
    form = NewClientForm(request.POST or None, clinic=admin.clinic)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        client = care.add_client(
            clinic=admin.clinic,
            full_name=data["full_name"],
            by=admin,
            care_team=list(data["care_team"]),
            time_zone=data["time_zone"],
        )
        if data["email"]:
            accounts.invite(
                clinic=admin.clinic,
                kind=User.Kind.CLIENT,
                by=admin,
                email=data["email"],
                client=client,
            )
        messages.success(request, _("%(name)s added.") % {"name": client.full_name})
        return redirect(f"/clinic/clients/{client.pk}/")
    return render(request, "clinic/new_client.html", {"form": form})


@clinic_admin_required
def client_roster_entry(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    admin = request.user
    client = get_client_for_user(request, client_id, need=Need.ROSTER)
    team_form = CareTeamForm(
        request.POST if "care_team" in request.POST else None,
        clinic=admin.clinic,
        initial={"care_team": client.care_team.all()},
    )
    invite_form = ClientInviteForm(request.POST if "email" in request.POST else None)
    if team_form.is_bound and team_form.is_valid():
        care.set_care_team(client, list(team_form.cleaned_data["care_team"]), by=admin)
        messages.success(request, _("Care team saved."))
        return redirect(f"/clinic/clients/{client.pk}/")
    if invite_form.is_bound and invite_form.is_valid():
        try:
            accounts.invite(
                clinic=admin.clinic,
                kind=User.Kind.CLIENT,
                by=admin,
                email=invite_form.cleaned_data["email"],
                client=client,
            )
        except accounts.ClientHasAccount as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Invitation on its way."))
        return redirect(f"/clinic/clients/{client.pk}/")
    return roster_entry_page(request, client, team_form=team_form, invite_form=invite_form)


def roster_entry_page(
    request: AuthenticatedHttpRequest,
    client: Client,
    *,
    team_form: CareTeamForm,
    invite_form: ClientInviteForm | None = None,
    address_form: SignInAddressForm | None = None,
) -> HttpResponse:
    return render(
        request,
        "clinic/client_roster_entry.html",
        {
            "client": client,
            "team_form": team_form,
            "invite_form": invite_form or ClientInviteForm(),
            "address_form": address_form or SignInAddressForm(),
            "invitations": client.invitations.prefetch_related("emails"),
            "emails": client.user.account_emails.all()[:EMAILS_SHOWN] if client.user else [],
        },
    )


def admins_client_account(
    request: AuthenticatedHttpRequest, client_id: int
) -> tuple[User, Client, User]:
    """The clinic admin, a client of their clinic (through the door), and the client's
    account; 404 when the client has none (there is nothing to reset or re-address)."""
    admin = request.user
    client = get_client_for_user(request, client_id, need=Need.ROSTER)
    account = client.user
    if account is None or not account.is_client:
        raise Http404
    return admin, client, account


@clinic_admin_required
@require_POST
def client_address(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    admin, client, account = admins_client_account(request, client_id)
    form = SignInAddressForm(request.POST)
    if change_address(request, account, form, by=admin):
        return redirect(f"/clinic/clients/{client.pk}/")
    team_form = CareTeamForm(clinic=admin.clinic, initial={"care_team": client.care_team.all()})
    return roster_entry_page(request, client, team_form=team_form, address_form=form)


@clinic_admin_required
@require_POST
def client_password_reset(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    admin, client, account = admins_client_account(request, client_id)
    send_reset_link(request, account, by=admin)
    return redirect(f"/clinic/clients/{client.pk}/")


def admins_invitation(
    request: AuthenticatedHttpRequest, invitation_id: int
) -> tuple[User, Invitation]:
    return request.user, get_invitation_for_admin(request, invitation_id)


@clinic_admin_required
@require_POST
def revoke_invitation(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    admin, invitation = admins_invitation(request, invitation_id)
    accounts.revoke_invitation(invitation, by=admin)
    messages.success(request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email})
    return redirect(safe_next(request, "/clinic/"))


@clinic_admin_required
@require_POST
def reissue_invitation(request: AuthenticatedHttpRequest, invitation_id: int) -> HttpResponse:
    admin, invitation = admins_invitation(request, invitation_id)
    try:
        accounts.reissue_invitation(invitation, by=admin)
    except accounts.ClientHasAccount as refused:
        messages.error(request, str(refused))
    else:
        messages.success(
            request, _("A new invitation is on its way to %(email)s.") % {"email": invitation.email}
        )
    return redirect("/clinic/")


@clinic_admin_required
def clinic_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = request.user
    # A copy, so a refused change never shows in the page's header while the form is redisplayed.
    form = ClinicSettingsForm(request.POST or None, instance=Clinic.objects.get(pk=admin.clinic_id))
    if request.method == "POST" and form.is_valid():
        accounts.update_clinic_settings(
            admin.clinic, by=admin, **{name: form.cleaned_data[name] for name in form.Meta.fields}
        )
        messages.success(request, _("Clinic settings saved."))
        return redirect("/clinic/settings/")
    return render(request, "clinic/settings.html", {"form": form})


@clinic_admin_required
def instruments(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The clinic's questionnaires: the shipped ones, and importing a definition (for example
    a licensed scale the clinic holds a licence for)."""
    import json

    from bridgework.measures.definitions import DefinitionError
    from bridgework.measures.library import install
    from bridgework.measures.models import Instrument

    admin = request.user
    error = ""
    if request.method == "POST":
        upload = request.FILES.get("definition")
        try:
            if upload is None or (upload.size or 0) > 512 * 1024:
                raise DefinitionError(_("Choose a definition file (JSON, at most 512 KB)."))
            definition = json.loads(upload.read().decode("utf-8"))
            if not isinstance(definition, dict):
                raise DefinitionError(_("The file must hold one JSON object (a Questionnaire)."))
            instrument = install(definition, clinic=admin.clinic, by=admin)
        except (DefinitionError, ValueError, UnicodeDecodeError) as problem:
            error = str(problem)
        except RecursionError:
            error = _("The file is nested too deeply to be a questionnaire definition.")
        else:
            messages.success(request, _("Imported %(title)s.") % {"title": str(instrument)})
            return redirect("/clinic/instruments/")
    return render(
        request,
        "clinic/instruments.html",
        {
            "instruments": Instrument.objects.filter(Q(clinic=None) | Q(clinic=admin.clinic)),
            "error": error,
        },
        status=400 if error else 200,
    )
