"""The one door per object type for client data.

Every view, API endpoint and command that reads or changes a client's record finds it here:
the door decides access, writes an access event (allowed or refused) and raises 404 for
anyone who may not know the object exists, so a refusal looks exactly like a missing object.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest

from bridgework.accounts.http import AuthenticatedHttpRequest, record_refusal
from bridgework.accounts.models import Invitation, Supervision, User
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.care.models import CareTeamMembership, Client, Goal, TherapySession

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

M = TypeVar("M", bound=Model)


class Need(enum.Enum):
    READ = "read"  # see the clinical record
    WRITE = "write"  # change the clinical record
    ROSTER = "roster"  # see and change who the client is and who cares for them (admins)


@dataclass(frozen=True)
class Ties:
    """What `decide` asks of a client's care team, read beforehand when it decides for many
    clients at once (`ties_of`): whether the person is on the team, and whether they or a
    therapist they supervise is."""

    member: bool = False
    supervised: bool = False


def decide(
    user: User | AnonymousUser,
    client: Client,
    need: Need,
    *,
    staff_view: bool = False,
    ties: Ties | None = None,
) -> str | None:
    """The role under which `user` may do `need` to `client`'s record, or None.

    `staff_view` marks the clinicians' pages, which a client may not open even about
    themselves (they hold the therapist's working notes). `ties` are the care team's facts
    when read already (`ties_of`); without them each is asked of the database when needed."""
    if not user.is_authenticated or not user.is_active or user.clinic_id != client.clinic_id:
        return None
    if need is Need.ROSTER:
        return "clinic_admin" if user.is_clinic_admin else None
    if user.is_client:
        return "client" if client.user_id == user.pk and not staff_view else None
    if user.is_therapist and on_team(user, client, ties):
        return "therapist"
    if need is Need.READ and user.is_supervisor and supervised(user, client, ties):
        return "supervisor"
    return None


def on_team(user: User, client: Client, ties: Ties | None) -> bool:
    return ties.member if ties is not None else client.memberships.filter(member=user).exists()


def supervised(supervisor: User, client: Client, ties: Ties | None) -> bool:
    return ties.supervised if ties is not None else is_supervised_client(supervisor, client)


def supervised_team(supervisor: User) -> Q:
    """The care-team rows that let a supervisor read a client: their own, or a supervisee's."""
    return Q(member=supervisor) | Q(member__supervised_by__supervisor=supervisor)


def readable_on_staff_pages(user: User, client_ids: Iterable[int]) -> set[int]:
    """Which of these clients' records `user` may read on the clinicians' pages: `decide(user,
    client, Need.READ, staff_view=True)` for many clients at once, in one query. For a list
    that names clients beside records of another kind (a supervisor's competence ratings),
    so a client whose record has closed to the reader goes unnamed."""
    if not user.is_active or not (user.is_therapist or user.is_supervisor):
        return set()
    rule = Q(pk=None)
    if user.is_therapist:
        rule |= Q(memberships__member=user)
    if user.is_supervisor:
        rule |= Q(memberships__member=user) | Q(memberships__member__supervised_by__supervisor=user)
    readable = Client.objects.filter(rule, pk__in=list(client_ids), clinic_id=user.clinic_id)
    return set(readable.values_list("pk", flat=True).distinct())


def is_supervised_client(supervisor: User, client: Client) -> bool:
    return client.memberships.filter(supervised_team(supervisor)).exists()


def ties_of(user: User | AnonymousUser, clients: Sequence[Client]) -> dict[int, Ties]:
    """`decide`'s care-team facts for many clients, in one query (none for a client or a
    visitor, whom `decide` never asks about care teams)."""
    if not isinstance(user, User) or not (user.is_therapist or user.is_supervisor):
        return {}
    rows = CareTeamMembership.objects.filter(
        supervised_team(user), client_id__in=[client.pk for client in clients]
    ).values_list("client_id", "member_id")
    ties: dict[int, Ties] = {}
    for client_id, member_id in rows:
        found = ties.get(client_id, Ties())
        ties[client_id] = Ties(member=found.member or member_id == user.pk, supervised=True)
    return ties


# Requests that only read: no care team changes while one is answered.
READING = ("GET", "HEAD")


def team_ties(request: HttpRequest, client: Client) -> Ties | None:
    """The care team's facts about this request's reader and `client` (`decide`'s `ties`),
    read once per request: a page asks the doors a dozen times (the client page: one listing
    per list on it), and each asked the database again. Only while reading: a request that
    may change a care team (a POST) asks afresh each time, so a change it makes counts at once.
    None where `decide` asks nothing of care teams (a client, a visitor, an admin)."""
    user = request.user
    if request.method not in READING or not isinstance(user, User):
        return None
    if not (user.is_therapist or user.is_supervisor):
        return None
    remembered: dict[int, Ties] = request.__dict__.setdefault("_bridgework_team_ties", {})
    if client.pk not in remembered:
        remembered[client.pk] = ties_of(user, [client]).get(client.pk, Ties())
    return remembered[client.pk]


def open_object(
    request: HttpRequest,
    object_type: str,
    object_id: object,
    obj: M | None,
    client: Client | None,
    need: Need,
    staff_view: bool,
) -> M:
    user = request.user
    role = None
    if client is not None and obj is not None:
        role = decide(user, client, need, staff_view=staff_view, ties=team_ties(request, client))
    same_clinic = client is not None and client.clinic_id == getattr(user, "clinic_id", None)
    trail.record(
        actor_id=user.pk,
        actor_role=role or str(getattr(user, "kind", "anonymous")),
        action=AccessEvent.Action.CHANGE if need is Need.WRITE else AccessEvent.Action.VIEW,
        object_type=object_type,
        object_id=object_id,
        clinic_id=getattr(user, "clinic_id", None),
        client_id=client.pk if client is not None and same_clinic else None,
        allowed=role is not None,
        defer=True,
    )
    if role is None or obj is None:
        raise Http404
    return obj


def get_client_for_user(
    request: HttpRequest, client_id: int, *, need: Need = Need.READ, staff_view: bool = False
) -> Client:
    client = Client.objects.select_related("clinic").filter(pk=client_id).first()
    return open_object(request, "client", client_id, client, client, need, staff_view)


def own_record(request: HttpRequest, *, need: Need = Need.READ) -> Client:
    """The signed-in client's own record, through the door. It comes with the user (the
    sign-in backend loads it in the same query), so opening it costs no query of its own.
    Anyone else has none: 404, and a refusal recorded."""
    user = request.user
    record: Client | None = (
        getattr(user, "client_record", None) if getattr(user, "is_client", False) else None
    )
    return open_object(request, "client", record.pk if record else "", record, record, need, False)


def can_write(request: HttpRequest, client: Client) -> bool:
    """Whether this member of staff may change the client's records (pages hide the buttons
    of those who may only read, such as supervisors)."""
    ties = team_ties(request, client)
    return decide(request.user, client, Need.WRITE, staff_view=True, ties=ties) is not None


def record_listing(request: HttpRequest, client: Client, object_type: str) -> str:
    """For lists of a client's records (plans, practice logs…) opened after the client door:
    check the person may read them, record one listing event, and return their role."""
    return record_reading(request, client, AccessEvent.Action.LIST, object_type)


def record_export(request: HttpRequest, client: Client, object_type: str) -> str:
    """A copy of a client's records leaving the app (a download): one export event, beside
    the listing events of the doors it reads through."""
    return record_reading(request, client, AccessEvent.Action.EXPORT, object_type)


def record_reading(request: HttpRequest, client: Client, action: str, object_type: str) -> str:
    user = request.user
    role = decide(user, client, Need.READ, ties=team_ties(request, client))
    if role is None:
        raise Http404
    trail.record(
        actor_id=user.pk,
        actor_role=role,
        action=action,
        object_type=object_type,
        object_id=client.pk,
        clinic_id=client.clinic_id,
        client_id=client.pk,
        defer=True,
    )
    return role


def record_listings(
    request: HttpRequest, clients: Sequence[Client], object_type: str
) -> dict[int, str]:
    """`record_listing` for the records of many clients at once (a trainee's dashboard reads
    all of a therapist's clients): decides each with `decide` (one query for all) and records
    one listing event per client on that client's chain. A client the person may not read is
    a refusal in the trail and is left out. Returns the role of each client let in."""
    return record_readings(request, clients, AccessEvent.Action.LIST, object_type)


def record_exports(
    request: HttpRequest, clients: Sequence[Client], object_type: str
) -> dict[int, str]:
    """`record_export` for many clients at once, deciding and recording as `record_listings`."""
    return record_readings(request, clients, AccessEvent.Action.EXPORT, object_type)


def record_readings(
    request: HttpRequest, clients: Sequence[Client], action: str, object_type: str
) -> dict[int, str]:
    user = request.user
    clinic_id = getattr(user, "clinic_id", None)
    ties = ties_of(user, clients)
    roles: dict[int, str] = {}
    for client in clients:
        role = decide(user, client, Need.READ, ties=ties.get(client.pk, Ties()))
        trail.record(
            actor_id=user.pk,
            actor_role=role or str(getattr(user, "kind", "anonymous")),
            action=action,
            object_type=object_type,
            object_id=client.pk,
            clinic_id=clinic_id,
            # Another clinic's client stays off that clinic's chains, as at the doors.
            client_id=client.pk if client.clinic_id == clinic_id else None,
            allowed=role is not None,
            defer=True,
        )
        if role is not None:
            roles[client.pk] = role
    return roles


def of_clients(roles: Mapping[int, str], seen_as: Callable[[str], Q]) -> Q:
    """A filter on the records of the clients let in (`roles`: client id → role, from
    `record_listings`), each client's as a reader in their role there sees them (`seen_as`:
    a client sees their own plans without drafts, staff their logs without diary entries)."""
    found = Q(pk__in=[])
    for role in set(roles.values()):
        chosen = [client_id for client_id, theirs in roles.items() if theirs == role]
        found |= Q(client_id__in=chosen) & seen_as(role)
    return found


def sessions_of_clients(
    request: HttpRequest, clients: Sequence[Client]
) -> QuerySet[TherapySession]:
    """The therapy sessions of many clients, of those this person may read: one listing event
    per client (`record_listings`)."""
    readable = record_listings(request, clients, "sessions")
    return TherapySession.objects.filter(of_clients(readable, lambda _role: Q()))


def goals_of(request: HttpRequest, client: Client) -> QuerySet[Goal]:
    """The goals of a client already opened through the client door. Records one listing."""
    record_listing(request, client, "goals")
    return Goal.objects.filter(client=client)


def sessions_of(request: HttpRequest, client: Client) -> QuerySet[TherapySession]:
    """The therapy sessions of a client already opened through the client door. Records one
    listing event."""
    record_listing(request, client, "sessions")
    return TherapySession.objects.filter(client=client).select_related("therapist")


def get_goal_for_user(
    request: HttpRequest, goal_id: int, *, need: Need = Need.READ, staff_view: bool = False
) -> Goal:
    goal = Goal.objects.select_related("client__clinic").filter(pk=goal_id).first()
    return open_object(
        request, "goal", goal_id, goal, goal.client if goal else None, need, staff_view
    )


def get_session_for_user(
    request: HttpRequest, session_id: int, *, need: Need = Need.READ, staff_view: bool = False
) -> TherapySession:
    session = (
        TherapySession.objects.select_related("client__clinic", "therapist")
        .filter(pk=session_id)
        .first()
    )
    client = session.client if session else None
    return open_object(request, "session", session_id, session, client, need, staff_view)


def caseload_for_user(request: AuthenticatedHttpRequest) -> QuerySet[Client]:
    """The clients whose records this staff member may read: their care teams' and, for a
    supervisor, their supervisees'. Records one listing event."""
    user = request.user
    supervisees = Supervision.objects.filter(supervisor=user).values("supervisee")
    visible = Q(memberships__member=user) if user.is_therapist or user.is_supervisor else Q(pk=None)
    if user.is_supervisor:
        visible |= Q(memberships__member__in=supervisees)
    trail.record(
        actor_id=user.pk,
        actor_role="staff",
        action=AccessEvent.Action.LIST,
        object_type="caseload",
        clinic_id=user.clinic_id,
        defer=True,
    )
    # Training clients (role-plays) are listed on the training pages, not among real clients.
    return Client.objects.filter(
        visible, clinic=user.clinic, discharged_at=None, is_training=False
    ).distinct()


def roster_for_admin(request: AuthenticatedHttpRequest) -> QuerySet[Client]:
    """Every client of the admin's clinic, for managing accounts and care teams. Training
    clients (role-plays) are no one to invite or give a care team: they stay off it."""
    return Client.objects.filter(clinic=admin_listing(request, "roster").clinic, is_training=False)


def invitations_for_admin(request: AuthenticatedHttpRequest) -> QuerySet[Invitation]:
    """The clinic's invitations (staff and clients: their names and addresses), for its
    admins. Records one listing event."""
    return Invitation.objects.filter(clinic=admin_listing(request, "invitations").clinic)


def admin_listing(request: AuthenticatedHttpRequest, object_type: str) -> User:
    """The clinic admin asking for one of the clinic's lists, with their look recorded; 404
    (and the refusal recorded) for anyone else."""
    user = request.user
    if not user.is_clinic_admin:
        record_refusal(request, object_type, AccessEvent.Action.LIST)
        raise Http404
    trail.record(
        actor_id=user.pk,
        actor_role="clinic_admin",
        action=AccessEvent.Action.LIST,
        object_type=object_type,
        clinic_id=user.clinic_id,
        defer=True,
    )
    return user


def get_invitation_for_admin(request: AuthenticatedHttpRequest, invitation_id: int) -> Invitation:
    """One invitation of the admin's clinic, to withdraw or send again. A client's joins that
    client's chain; another clinic's, or anyone but an admin asking, is 404 and a refusal."""
    user = request.user
    invitation = Invitation.objects.select_related("client").filter(pk=invitation_id).first()
    admitted = (
        invitation is not None and user.is_clinic_admin and invitation.clinic_id == user.clinic_id
    )
    same_clinic = invitation is not None and invitation.clinic_id == user.clinic_id
    client_id = invitation.client_id if invitation is not None and same_clinic else None
    trail.record(
        actor_id=user.pk,
        actor_role="clinic_admin" if admitted else user.kind,
        action=AccessEvent.Action.CHANGE,
        object_type="invitation",
        object_id=invitation_id,
        clinic_id=user.clinic_id,
        client_id=client_id,
        allowed=admitted,
        defer=True,
    )
    if invitation is None or not admitted:
        raise Http404
    return invitation
