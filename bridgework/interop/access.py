"""The door for personal access tokens (see care.access for how doors work): a person sees and
revokes their own; a clinic admin sees and revokes every token of the clinic. Nobody ever sees
a secret: only its hash is stored."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.care.access import admin_listing
from bridgework.interop.models import AccessToken


def own_tokens(request: AuthenticatedHttpRequest) -> QuerySet[AccessToken]:
    """The signed-in person's tokens (no client data: their names and dates only)."""
    return AccessToken.objects.filter(owner=request.user)


def clinic_tokens(request: AuthenticatedHttpRequest) -> QuerySet[AccessToken]:
    """Every token of the admin's clinic, with its owner; 404 and a refusal for anyone else."""
    clinic = admin_listing(request, "access-tokens").clinic
    return AccessToken.objects.filter(clinic=clinic).select_related("owner")


def get_token_for_user(request: AuthenticatedHttpRequest, token_id: int) -> AccessToken:
    """A token to revoke: its owner's, or any of the clinic's for its admin. Anyone else,
    and another clinic's admin, get 404 with the refusal recorded."""
    user = request.user
    token = AccessToken.objects.select_related("owner").filter(pk=token_id).first()
    owner = token is not None and token.owner_id == user.pk
    admin = token is not None and user.is_clinic_admin and token.clinic_id == user.clinic_id
    trail.record(
        actor_id=user.pk,
        actor_role="clinic_admin" if admin and not owner else user.kind,
        action=AccessEvent.Action.CHANGE,
        object_type="access-token",
        object_id=token_id,
        clinic_id=user.clinic_id,
        allowed=owner or admin,
        defer=True,
    )
    if token is None or not (owner or admin):
        raise Http404
    return token
