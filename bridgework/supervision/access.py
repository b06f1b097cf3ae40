"""The doors of supervision: who may rate which session, and who may read which rating.

- A supervisor rates the sessions of the therapists they supervise (`accounts.Supervision`);
  a therapist may rate their own sessions only as a self-rating (labelled as such). Nobody
  rates a session that has not happened yet, or one of another clinic.
- A draft is its rater's alone. A submitted rating is read by its rater, by the therapist
  rated, and by another rater of the same session and scale once that rater has submitted
  their own: two raters rate blind until both are done (agreement, `agreement.py`).
- Self-ratings are blind too: while the therapist's own self-rating of a session is a
  draft, they read no one else's rating of it; of a role-play, only once they have
  submitted a self-rating of it (a trainee rates their attempt before they see the
  supervisor's score).
- A trainee's dashboard is open to the trainee themselves and to their supervisors
  (`get_trainee_for_user`); the records of their real clients it counts are read through the
  plans, practice and care doors, client by client by the client door's rule
  (`trainee_records`).
- Everyone else, and every other clinic, gets 404, with the refusal recorded.

The plan records shown beside a rating are read through their own doors (care, plans,
practice), which let a supervisor read their supervisees' clients.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.utils import timezone

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import Supervision, User
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.care.access import record_exports, sessions_of_clients
from bridgework.care.models import Client, TherapySession
from bridgework.plans.access import plans_of_clients
from bridgework.plans.models import ActionPlan
from bridgework.practice.access import logs_of_clients
from bridgework.practice.models import PracticeLog
from bridgework.supervision.models import CompetenceRating


def supervisees_of(user: User) -> QuerySet[User]:
    """The therapists this supervisor supervises, in their clinic (none for anyone else)."""
    if not user.is_supervisor:
        return User.objects.none()
    return User.objects.filter(
        supervised_by__supervisor=user, clinic_id=user.clinic_id, is_active=True
    ).order_by("full_name", "pk")


def supervises(supervisor: User, therapist: User) -> bool:
    return (
        supervisor.is_supervisor
        and supervisor.clinic_id == therapist.clinic_id
        and Supervision.objects.filter(supervisor=supervisor, supervisee=therapist).exists()
    )


def rater_role(user: User, session: TherapySession) -> str | None:
    """ "supervisor", "self" (the therapist rating their own session) or None (may not rate
    it). Only sessions that have begun can be rated."""
    if not user.is_authenticated or user.clinic_id != session.client.clinic_id:
        return None
    if session.starts_at > timezone.now():
        return None
    if user.pk == session.therapist_id:
        return "self"
    if supervises(user, session.therapist):
        return "supervisor"
    return None


def get_session_to_rate(request: AuthenticatedHttpRequest, session_id: int) -> TherapySession:
    """The therapy session this person may rate, with its client and therapist; 404 and a
    refusal recorded otherwise."""
    session = (
        TherapySession.objects.select_related("client__clinic", "therapist")
        .filter(pk=session_id)
        .first()
    )
    role = rater_role(request.user, session) if session is not None else None
    record(
        request,
        "session",
        session_id,
        action=AccessEvent.Action.VIEW,
        role=role,
        client_id=client_of(request.user, session),
    )
    if session is None or role is None:
        raise Http404
    return session


def visible_ratings(user: User) -> Q:
    """The ratings `user` may read, as a filter on CompetenceRating: their own, drafts
    included; the submitted ratings of their work; another rater's submitted rating of a
    session and scale they have submitted a rating of too (blind double rating). Of their
    own sessions, while their self-rating of one is a draft, no one else's; of a role-play,
    no one else's until they have submitted a self-rating of it (blind self-rating)."""
    submitted = CompetenceRating.State.SUBMITTED
    own_submitted = CompetenceRating.objects.filter(
        rater=user,
        session=OuterRef("session"),
        instrument=OuterRef("instrument"),
        state=submitted,
    )
    self_ratings = CompetenceRating.objects.filter(
        rater=user, therapist=user, session=OuterRef("session")
    )
    self_draft = Exists(self_ratings.filter(state=CompetenceRating.State.DRAFT))
    self_submitted = Exists(self_ratings.filter(state=submitted))
    of_my_work = Q(therapist=user, state=submitted) & (
        Q(session__role_play__isnull=True) | Q(self_submitted)
    )
    blind_to_me = Q(therapist=user) & Q(self_draft)
    return Q(clinic_id=user.clinic_id) & (
        Q(rater=user) | ((of_my_work | Q(Exists(own_submitted), state=submitted)) & ~blind_to_me)
    )


def ratings_for_user(request: AuthenticatedHttpRequest) -> QuerySet[CompetenceRating]:
    """Every rating this person may read (their own drafts included), recorded as one
    listing. Narrow it further (by therapist, session…) as the page needs."""
    user = request.user
    listed(request, "competence-ratings")
    return CompetenceRating.objects.filter(visible_ratings(user)).select_related(
        "session__client", "therapist", "rater", "instrument"
    )


def get_rating_for_user(
    request: AuthenticatedHttpRequest, rating_id: int, *, write: bool = False
) -> CompetenceRating:
    """One rating: read as `visible_ratings` allows; changed only by its rater. 404 and a
    refusal recorded otherwise.

    A submitted rating is final, yet its rater passes the door with `write`: the actions
    refuse the change under a row lock (a second submission racing the first passes any
    look taken here) and tell the rater why, where a 404 would leave them guessing."""
    user = request.user
    rating = (
        CompetenceRating.objects.filter(visible_ratings(user), pk=rating_id)
        .select_related(
            "session__client__clinic", "session__therapist", "therapist", "rater", "instrument"
        )
        .first()
    )
    allowed = rating is not None and (not write or rating.rater_id == user.pk)
    role = ("self" if rating.is_self_rating else "rater") if rating and allowed else None
    record(
        request,
        "competence-rating",
        rating_id,
        action=AccessEvent.Action.CHANGE if write else AccessEvent.Action.VIEW,
        role=role,
        client_id=client_of(user, rating.session if rating else None),
    )
    if rating is None or not allowed:
        raise Http404
    return rating


def sessions_to_rate(
    request: AuthenticatedHttpRequest, *, limit: int = 8
) -> dict[int, list[TherapySession]]:
    """The newest sessions that have begun, with real clients, which this person may rate,
    by therapist id: their own (as a self-rating) and each supervisee's, `limit` each.
    Role-plays are listed on the training pages. One query, and one listing recorded,
    however many supervisees."""
    user = request.user
    listed(request, "sessions-to-rate")
    therapists = Q(therapist__in=supervisees_of(user))
    if user.is_therapist:
        therapists |= Q(therapist=user)
    newest_first = [F("starts_at").desc(), F("id").desc()]
    sessions = (
        TherapySession.objects.filter(
            therapists,
            client__clinic_id=user.clinic_id,
            client__is_training=False,
            starts_at__lte=timezone.now(),
        )
        .annotate(newest=Window(RowNumber(), partition_by=F("therapist_id"), order_by=newest_first))
        .filter(newest__lte=limit)
        .select_related("client")
        .order_by(*newest_first)
    )
    found: dict[int, list[TherapySession]] = {}
    for session in sessions:
        found.setdefault(session.therapist_id, []).append(session)
    return found


def others_submitted(rating: CompetenceRating) -> int:
    """How many other raters have submitted a rating of the same session on the same scale.
    While a rating is a draft its page says so as a count, never showing the ratings
    themselves (blind double rating: `visible_ratings`)."""
    return (
        CompetenceRating.objects.filter(
            session_id=rating.session_id,
            instrument_id=rating.instrument_id,
            state=CompetenceRating.State.SUBMITTED,
        )
        .exclude(rater_id=rating.rater_id)
        .count()
    )


def sessions_rated_by_others(user: User, session_ids: list[int]) -> set[int]:
    """Which of these sessions someone other than `user` has submitted a rating of: what
    a page says while those ratings are still hidden from them (`others_submitted`)."""
    return set(
        CompetenceRating.objects.filter(
            session_id__in=session_ids, state=CompetenceRating.State.SUBMITTED
        )
        .exclude(rater=user)
        .values_list("session_id", flat=True)
        .distinct()
    )


def client_of(user: User, session: TherapySession | None) -> int | None:
    """The session's client, for the access trail: only of the reader's own clinic (another
    clinic's client is no one to name in this clinic's chain)."""
    if session is None or session.client.clinic_id != user.clinic_id:
        return None
    return session.client_id


def record(
    request: AuthenticatedHttpRequest,
    object_type: str,
    object_id: object = "",
    *,
    action: str,
    role: str | None,
    client_id: int | None = None,
) -> None:
    """The access event of every supervision door: allowed under `role`, or (no role) a
    refusal under the person's kind."""
    user = request.user
    trail.record(
        actor_id=user.pk,
        actor_role=role or user.kind,
        action=action,
        object_type=object_type,
        object_id=object_id,
        clinic_id=user.clinic_id,
        client_id=client_id,
        allowed=role is not None,
        defer=True,
    )


def listed(request: AuthenticatedHttpRequest, object_type: str) -> None:
    """One listing of the rows a door hands out (the door's filter decides which)."""
    record(request, object_type, action=AccessEvent.Action.LIST, role="staff")


# --- a trainee's own records, for their dashboard ----------------------------------------------


def trainee_role(user: User, therapist: User) -> str | None:
    """ "therapist" (their own dashboard), "supervisor" (one of their supervisors) or None.
    This opens the dashboard only: the records of the trainee's clients on it are decided
    client by client at those records' doors (`trainee_records`)."""
    if not user.is_active or user.clinic_id != therapist.clinic_id or not therapist.is_therapist:
        return None
    if user.pk == therapist.pk:
        return "therapist"
    return "supervisor" if supervises(user, therapist) else None


def get_trainee_for_user(request: AuthenticatedHttpRequest, therapist_id: int) -> User:
    """The therapist whose dashboard is asked for, to the therapist themselves or a supervisor
    of theirs; 404 and a refusal recorded for anyone else (other supervisors and therapists,
    admins, clients, other clinics)."""
    user = request.user
    therapist = (
        User.objects.select_related("clinic").filter(pk=therapist_id, kind=User.Kind.STAFF).first()
    )
    role = trainee_role(user, therapist) if therapist is not None else None
    record(request, "trainee", therapist_id, action=AccessEvent.Action.VIEW, role=role)
    if therapist is None or role is None:
        raise Http404
    return therapist


@dataclass(frozen=True)
class TraineeRecords:
    """What a trainee's dashboard reads of their clients: their real clients (the care teams
    they are on, training clients left out, discharged ones kept: this is their history),
    those clients' plans, their practice logs (private diary entries left out) and their
    sessions, each read through its own door."""

    therapist: User
    role: str
    plans: QuerySet[ActionPlan]
    logs: QuerySet[PracticeLog]
    sessions: QuerySet[TherapySession]


def trainee_records(
    request: AuthenticatedHttpRequest, therapist: User, *, export: str = ""
) -> TraineeRecords:
    """The records of a trainee's clients, for the trainee themselves or their supervisor;
    404 and a refusal for anyone else. The clients' plans, practice logs and sessions come
    through the plans, practice and care doors, which decide each client by the client door's
    rule and record one listing of each per client, on the client's own chain (the trail
    answers "who read this client's plans?"); with `export`, an export of that name per
    client too (a download). A fixed number of queries, however many clients: one for the
    clients, one per door to decide them all; the events cost their chains' statements at
    the end of the request."""
    role = trainee_role(request.user, therapist)
    if role is None:
        record(request, "trainee", therapist.pk, action=AccessEvent.Action.LIST, role=None)
        raise Http404
    clients = list(
        Client.objects.filter(
            clinic_id=therapist.clinic_id, memberships__member=therapist, is_training=False
        )
        .distinct()
        .order_by("pk")
    )
    records = TraineeRecords(
        therapist=therapist,
        role=role,
        plans=plans_of_clients(request, clients),
        logs=logs_of_clients(request, clients),
        sessions=sessions_of_clients(request, clients),
    )
    if export:
        record_exports(request, clients, export)
    return records
