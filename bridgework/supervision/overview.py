"""What the supervision home shows: for a supervisor, each supervisee's recent sessions with
the state of the supervisor's own rating of each; for a therapist, their own sessions to
self-rate and the submitted ratings of their work. Someone who is both sees both."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import User
from bridgework.care.models import TherapySession
from bridgework.measures.models import Instrument
from bridgework.supervision import access, scales
from bridgework.supervision.models import CompetenceRating

MY_RATINGS_SHOWN = 30  # the newest ratings of one's work


@dataclass(frozen=True)
class SessionRow:
    session: TherapySession
    mine: list[CompetenceRating]  # the viewer's own ratings of it, one per scale
    to_start: list[Instrument]  # the scales it is not rated on yet by the viewer

    @property
    def state(self) -> str:
        """ "submitted" once every rating of it is, "draft" while one is, "" for none."""
        if not self.mine:
            return ""
        done = all(r.state == CompetenceRating.State.SUBMITTED for r in self.mine)
        return CompetenceRating.State.SUBMITTED if done else CompetenceRating.State.DRAFT


@dataclass(frozen=True)
class Supervisee:
    therapist: User
    sessions: list[SessionRow]


def of(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    listed = {
        therapist: access.sessions_to_rate(request, therapist)
        for therapist in access.supervisees_of(user)
    }
    own = access.sessions_to_rate(request, user) if user.is_therapist else []
    readable = access.ratings_for_user(request)
    ids = [s.pk for sessions in [*listed.values(), own] for s in sessions]
    mine: dict[int, list[CompetenceRating]] = {}
    for rating in readable.filter(rater=user, session_id__in=ids).order_by("instrument__title"):
        mine.setdefault(rating.session_id, []).append(rating)

    offered = scales.scales_for(user.clinic)

    def rows(sessions: list[TherapySession]) -> list[SessionRow]:
        found = []
        for session in sessions:
            theirs = mine.get(session.pk, [])
            used = {rating.instrument_id for rating in theirs}
            found.append(SessionRow(session, theirs, [s for s in offered if s.pk not in used]))
        return found

    return {
        "is_supervisor": user.is_supervisor,
        "is_therapist": user.is_therapist,
        "supervisees": [Supervisee(t, rows(sessions)) for t, sessions in listed.items()],
        "own_sessions": rows(own),
        "drafts": list(readable.filter(rater=user, state=CompetenceRating.State.DRAFT)),
        "my_ratings": list(
            readable.filter(therapist=user, state=CompetenceRating.State.SUBMITTED).order_by(
                "-submitted_at", "-pk"
            )[:MY_RATINGS_SHOWN]
        ),
        "several_scales": len(offered) > 1,
    }
