"""The doors of training: who may see an assignment of a scenario and its attempts, and who
may act on them.

- The trainee assigned sees their assignment, starts attempts at it (while it is open) and
  finishes their own attempts. Nobody else starts or finishes an attempt: not another
  therapist, not the supervisor, not anyone at another clinic.
- A supervisor of the trainee (accounts.Supervision, same clinic) sees the assignment and its
  attempts, and closes it.
- Everyone else gets 404, with the refusal recorded, before anything is made.

An attempt's training client is read through care's door like any client (its care team is
the trainee; a supervisor of the trainee reads it as they read their supervisees' clients).
"""

from __future__ import annotations

import enum

from django.db.models import QuerySet
from django.http import Http404

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.supervision.access import listed, record, supervisees_of, supervises
from bridgework.supervision.models import Assignment, RolePlay


class Doing(enum.Enum):
    READ = "read"  # the trainee or a supervisor of theirs
    PRACTISE = "practise"  # the trainee only: start or finish an attempt
    MANAGE = "manage"  # a supervisor of the trainee only: close the assignment


def role_in(user: User, assignment: Assignment, doing: Doing) -> str | None:
    """ "trainee", "supervisor" or None (may not)."""
    if not user.is_active or user.clinic_id != assignment.clinic_id:
        return None
    if user.pk == assignment.trainee_id and doing is not Doing.MANAGE:
        return "trainee"
    if doing is not Doing.PRACTISE and supervises(user, assignment.trainee):
        return "supervisor"
    return None


def get_assignment_for_user(
    request: AuthenticatedHttpRequest, assignment_id: int, *, doing: Doing = Doing.READ
) -> Assignment:
    """One assignment, with its trainee; 404 and a refusal recorded for anyone who may not
    do `doing` with it."""
    assignment = (
        Assignment.objects.select_related("trainee", "assigned_by").filter(pk=assignment_id).first()
    )
    role = role_in(request.user, assignment, doing) if assignment is not None else None
    record(request, "scenario-assignment", assignment_id, action=action_of(doing), role=role)
    if assignment is None or role is None:
        raise Http404
    return assignment


def get_role_play_for_user(
    request: AuthenticatedHttpRequest, role_play_id: int, *, doing: Doing = Doing.READ
) -> RolePlay:
    """One attempt, with its assignment, training client and session; 404 and a refusal
    recorded (on the training client's chain, for the clinic's own) otherwise."""
    role_play = (
        RolePlay.objects.select_related(
            "assignment__trainee", "client__clinic", "session__therapist"
        )
        .filter(pk=role_play_id)
        .first()
    )
    role = role_in(request.user, role_play.assignment, doing) if role_play is not None else None
    same_clinic = role_play is not None and role_play.client.clinic_id == request.user.clinic_id
    client_id = role_play.client_id if role_play is not None and same_clinic else None
    record(
        request, "role-play", role_play_id, action=action_of(doing), role=role, client_id=client_id
    )
    if role_play is None or role is None:
        raise Http404
    return role_play


def assignments_for_trainee(request: AuthenticatedHttpRequest) -> QuerySet[Assignment]:
    """The signed-in therapist's own assignments, newest first; one listing recorded."""
    listed(request, "scenario-assignments")
    return Assignment.objects.filter(
        trainee=request.user, clinic_id=request.user.clinic_id
    ).select_related("assigned_by")


def assignments_for_supervisor(request: AuthenticatedHttpRequest) -> QuerySet[Assignment]:
    """The assignments of the therapists this supervisor supervises now (whoever assigned
    them), newest first; one listing recorded. None for anyone else."""
    listed(request, "scenario-assignments")
    return Assignment.objects.filter(
        trainee__in=supervisees_of(request.user), clinic_id=request.user.clinic_id
    ).select_related("trainee", "assigned_by")


def action_of(doing: Doing) -> str:
    return AccessEvent.Action.VIEW if doing is Doing.READ else AccessEvent.Action.CHANGE
