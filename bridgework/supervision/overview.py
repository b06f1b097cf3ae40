"""What the supervision home shows: for a supervisor, each supervisee's recent sessions with
the state of the supervisor's own rating of each; for a therapist, their own sessions to
self-rate and the submitted ratings of their work. Someone who is both sees both.

The page costs the same queries however many supervisees: one for the supervisees, one for
all their sessions (`access.sessions_to_rate`), one for the viewer's ratings of them. A
session's client is named only where the viewer may still read the client's record
(`care.access.readable_on_staff_pages`); elsewhere the session's number and date stand alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import User
from bridgework.care.access import readable_on_staff_pages
from bridgework.care.models import TherapySession
from bridgework.measures.models import Instrument
from bridgework.supervision import access, scales
from bridgework.supervision.models import CompetenceRating

MY_RATINGS_SHOWN = 30  # the newest ratings of one's work


@dataclass(frozen=True)
class SessionToRate:
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
    sessions: list[SessionToRate]


def of(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    supervisees = list(access.supervisees_of(user))
    listed = access.sessions_to_rate(request)
    readable = access.ratings_for_user(request)
    ids = [s.pk for sessions in listed.values() for s in sessions]
    mine: dict[int, list[CompetenceRating]] = {}
    for rating in readable.filter(rater=user, session_id__in=ids).order_by("instrument__title"):
        mine.setdefault(rating.session_id, []).append(rating)
    drafts = list(readable.filter(rater=user, state=CompetenceRating.State.DRAFT))
    my_ratings = list(
        readable.filter(therapist=user, state=CompetenceRating.State.SUBMITTED).order_by(
            "-submitted_at", "-pk"
        )[:MY_RATINGS_SHOWN]
    )
    offered = scales.scales_for(user.clinic)

    def rows(therapist: User) -> list[SessionToRate]:
        found = []
        for session in listed.get(therapist.pk, []):
            theirs = mine.get(session.pk, [])
            used = {rating.instrument_id for rating in theirs}
            found.append(SessionToRate(session, theirs, [s for s in offered if s.pk not in used]))
        return found

    named = [s.client_id for sessions in listed.values() for s in sessions]
    named += [r.session.client_id for r in [*drafts, *my_ratings]]
    return {
        "is_supervisor": user.is_supervisor,
        "is_therapist": user.is_therapist,
        "supervisees": [Supervisee(t, rows(t)) for t in supervisees],
        "own_sessions": rows(user) if user.is_therapist else [],
        "drafts": drafts,
        "my_ratings": my_ratings,
        "several_scales": len(offered) > 1,
        "readable_clients": readable_on_staff_pages(user, named),
    }
