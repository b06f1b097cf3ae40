"""The door for staff members' records, for their clinic's admins (care.access describes how
doors work: find the object, decide, record the access event, 404 for anyone else)."""

from __future__ import annotations

from django.http import Http404

from bridgework.accounts.http import AuthenticatedHttpRequest, action_of
from bridgework.accounts.models import User
from bridgework.audit import trail


def get_staff_for_admin(request: AuthenticatedHttpRequest, user_id: int) -> User:
    """A staff member of the admin's own clinic, to see or change (roles, sign-in address,
    authenticator). Anyone else asking, or another clinic's staff, is 404, and refused on the
    record."""
    admin = request.user
    person = User.objects.filter(pk=user_id, kind=User.Kind.STAFF).first()
    admitted = person is not None and admin.is_clinic_admin and person.clinic_id == admin.clinic_id
    trail.record(
        actor_id=admin.pk,
        actor_role="clinic_admin" if admitted else admin.kind,
        action=action_of(request),
        object_type="staff",
        object_id=user_id,
        clinic_id=admin.clinic_id,
        allowed=admitted,
        defer=True,
    )
    if person is None or not admitted:
        raise Http404
    return person
