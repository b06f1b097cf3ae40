"""The permission matrix: every URL the app serves, opened by every actor of the cast.

A URL pattern missing from MATRIX fails the test, so no new page can slip through unchecked.
Objects belong to client A (therapist A's care team) unless said otherwise; therapist B, the
clinic admin, the researcher and everybody at the other clinic must get 404 for them.

The same walk checks the access trail of each request: every 404 a signed-in person gets
leaves a refusal of theirs (an AccessEvent with allowed=False), every answered request leaves
an allowed event of theirs, unless its route opens no client's record (NO_CLIENT_DATA, each
with its reason), and no answered page (below 400) refused them anything.
"""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.http.response import HttpResponseBase
from django.test import override_settings
from django.utils import timezone
from django_otp_webauthn.models import WebAuthnCredential

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import Invitation, User
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.care.models import Client, Goal, TherapySession
from bridgework.interop import actions as interop
from bridgework.interop.models import AccessToken
from bridgework.measures import actions as measures
from bridgework.measures.models import Flag, Instrument, Response
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.practice.models import PracticeLog
from bridgework.prompts import schedules, subscriptions
from bridgework.prompts.models import Prompt, Schedule
from bridgework.records import actions as records
from bridgework.records.models import ErasureRequest, LegalHold
from bridgework.research import actions as research
from bridgework.research import jobs as research_jobs
from bridgework.research.models import Export, Study
from bridgework.supervision import actions as supervision
from bridgework.supervision import scenarios, training
from bridgework.supervision.models import Assignment, CompetenceRating, RolePlay
from bridgework.test import BaseTestCase, routes, user_of

ACTORS = (
    "anonymous",
    "admin",
    "therapist_a",
    "therapist_b",
    "supervisor",
    "researcher",
    "client_a",
    "client_b",
    "other_admin",
    "other_therapist",
    "other_client",
)
STAFF = (
    "admin",
    "therapist_a",
    "therapist_b",
    "supervisor",
    "researcher",
    "other_admin",
    "other_therapist",
)
CLIENTS = ("client_a", "client_b", "other_client")
API_PREFIX = "api/v1/"


def strings_in(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)


class MatrixCase(BaseTestCase):
    """The objects the matrix opens, set up afresh for each test."""

    goal: Goal
    session: TherapySession
    invitation: Invitation
    token: str
    reset_token: str
    draft: ActionPlan
    agreed: ActionPlan
    proposal: ActionPlan
    log: PracticeLog
    private_log: PracticeLog
    exposure: PracticeLog
    schedule: Schedule
    prompt: Prompt
    feed_token: str
    flag: Flag
    response: Response
    assignment: Assignment  # a scenario assigned to therapist A by their supervisor
    role_play: RolePlay  # therapist A's first attempt at it
    past_session: TherapySession
    session_to_rate: TherapySession
    rating: CompetenceRating
    study: Study  # of the clinic, with client A consenting; the researcher has access
    export: Export  # of it, made and ready to download
    access_token: AccessToken  # therapist A's personal access token
    hold: LegalHold  # on client A's records, placed by the clinic admin
    erasure_request: ErasureRequest  # for client A, recorded by the clinic admin
    passkey: WebAuthnCredential  # client A's


@dataclass
class Row:
    """How to open one route, and the status each actor gets (`default` for the rest)."""

    url: Callable[[MatrixCase], str]
    expect: dict[str, int]
    default: int = 404
    method: str = "get"
    data: dict[str, str] = field(default_factory=dict)

    def status_for(self, actor: str) -> int:
        if actor in self.expect:
            return self.expect[actor]
        return 302 if actor == "anonymous" else self.default


def each(actors: tuple[str, ...], status: int) -> dict[str, int]:
    return dict.fromkeys(actors, status)


MATRIX: dict[str, Row] = {
    "": Row(lambda t: "/", {}, default=302),
    "healthz": Row(lambda t: "/healthz", {"anonymous": 200}, default=200),
    "accounts/sign-in/": Row(lambda t: "/accounts/sign-in/", {"anonymous": 200}, default=302),
    "accounts/sign-out/": Row(lambda t: "/accounts/sign-out/", {}, default=302, method="post"),
    "accounts/second-factor/": Row(lambda t: "/accounts/second-factor/", {}, default=302),
    "accounts/settings/": Row(lambda t: "/accounts/settings/", each(STAFF, 200)),
    "accounts/second-factor/setup/": Row(
        lambda t: "/accounts/second-factor/setup/", each(STAFF, 200), default=302
    ),
    "accounts/second-factor/passkey/": Row(
        lambda t: "/accounts/second-factor/passkey/", each(STAFF, 200), default=302
    ),
    "accounts/passkeys/": Row(lambda t: "/accounts/passkeys/", each(STAFF + CLIENTS, 200)),
    "accounts/passkeys/<int:passkey_id>/name/": Row(
        lambda t: f"/accounts/passkeys/{t.passkey.pk}/name/", {"client_a": 200}
    ),
    "accounts/passkeys/<int:passkey_id>/remove/": Row(
        lambda t: f"/accounts/passkeys/{t.passkey.pk}/remove/", {"client_a": 302}, method="post"
    ),
    # The ceremonies answer JSON. Registering needs a signed-in person; completing either
    # ceremony needs one begun in the same session (400 here).
    "accounts/passkeys/registration/begin/": Row(
        lambda t: "/accounts/passkeys/registration/begin/",
        {"anonymous": 403},
        default=200,
        method="post",
    ),
    "accounts/passkeys/registration/complete/": Row(
        lambda t: "/accounts/passkeys/registration/complete/",
        {"anonymous": 403},
        default=400,
        method="post",
    ),
    "accounts/passkeys/authentication/begin/": Row(
        lambda t: "/accounts/passkeys/authentication/begin/",
        {"anonymous": 200},
        default=200,
        method="post",
    ),
    "accounts/passkeys/authentication/complete/": Row(
        lambda t: "/accounts/passkeys/authentication/complete/",
        {"anonymous": 400},
        default=400,
        method="post",
    ),
    "accounts/passkeys/jsi18n/": Row(
        lambda t: "/accounts/passkeys/jsi18n/", {"anonymous": 200}, default=200
    ),
    "accounts/password-reset/": Row(
        lambda t: "/accounts/password-reset/", {"anonymous": 200}, default=200
    ),
    "accounts/password-reset/sent/": Row(
        lambda t: "/accounts/password-reset/sent/", {"anonymous": 200}, default=200
    ),
    # Without a link opened first, everyone is told to open it again (410 Gone).
    "accounts/password-reset/new/": Row(
        lambda t: "/accounts/password-reset/new/", {"anonymous": 410}, default=410
    ),
    # The link itself always redirects to the page above, which then decides.
    "accounts/password-reset/<str:token>/": Row(
        lambda t: f"/accounts/password-reset/{t.reset_token}/", {}, default=302
    ),
    "invitations/<str:token>/": Row(
        lambda t: f"/invitations/{t.token}/", {"anonymous": 200}, default=200
    ),
    "clients/": Row(
        lambda t: "/clients/",
        each(("therapist_a", "therapist_b", "supervisor", "other_therapist"), 200),
    ),
    "clients/<int:client_id>/": Row(
        lambda t: f"/clients/{t.client_a.pk}/", {"therapist_a": 200, "supervisor": 200}
    ),
    "clients/<int:client_id>/goals/": Row(
        lambda t: f"/clients/{t.client_a.pk}/goals/",
        {"therapist_a": 302},
        method="post",
        data={"text": "Go swimming"},
    ),
    "clients/<int:client_id>/sessions/new/": Row(
        lambda t: f"/clients/{t.client_a.pk}/sessions/new/", {"therapist_a": 200}
    ),
    "clients/<int:client_id>/end-of-therapy/": Row(
        lambda t: f"/clients/{t.client_a.pk}/end-of-therapy/",
        {"therapist_a": 302, "admin": 302},
        method="post",
        data={"resume": "1"},
    ),
    "goals/<int:goal_id>/achieved/": Row(
        lambda t: f"/goals/{t.goal.pk}/achieved/", {"therapist_a": 302}, method="post"
    ),
    "sessions/<int:session_id>/": Row(lambda t: f"/sessions/{t.session.pk}/", {"therapist_a": 200}),
    "me/": Row(lambda t: "/me/", each(CLIENTS, 200)),
    "me/consents/": Row(lambda t: "/me/consents/", each(CLIENTS, 200)),
    "me/consents/research/": Row(lambda t: "/me/consents/research/", each(CLIENTS, 200)),
    "me/my-data/": Row(lambda t: "/me/my-data/", each(CLIENTS, 200), method="post"),
    "clients/<int:client_id>/plans/new/": Row(
        lambda t: f"/clients/{t.client_a.pk}/plans/new/", {"therapist_a": 200}
    ),
    "plans/templates/": Row(
        lambda t: "/plans/templates/",
        each(("admin", "therapist_a", "therapist_b", "other_admin", "other_therapist"), 200),
    ),
    "plans/templates/new/": Row(
        lambda t: "/plans/templates/new/",
        each(("admin", "therapist_a", "therapist_b", "other_admin", "other_therapist"), 200),
    ),
    "plans/<int:plan_id>/": Row(
        lambda t: f"/plans/{t.agreed.pk}/", {"therapist_a": 200, "supervisor": 200}
    ),
    "plans/<int:plan_id>/edit/": Row(lambda t: f"/plans/{t.draft.pk}/edit/", {"therapist_a": 200}),
    "plans/<int:plan_id>/agree/": Row(
        lambda t: f"/plans/{t.draft.pk}/agree/", {"therapist_a": 302}, method="post"
    ),
    "plans/<int:plan_id>/start/": Row(
        lambda t: f"/plans/{t.agreed.pk}/start/", {"therapist_a": 302}, method="post"
    ),
    "plans/<int:plan_id>/accept/": Row(
        lambda t: f"/plans/{t.proposal.pk}/accept/", {"therapist_a": 302}, method="post"
    ),
    "plans/<int:plan_id>/decline/": Row(
        lambda t: f"/plans/{t.proposal.pk}/decline/", {"therapist_a": 200}
    ),
    "plans/<int:plan_id>/imagery/": Row(
        lambda t: f"/plans/{t.draft.pk}/imagery/", {"therapist_a": 200}
    ),
    "plans/<int:plan_id>/review/": Row(
        lambda t: f"/plans/{t.agreed.pk}/review/", {"therapist_a": 200}
    ),
    "plans/<int:plan_id>/revisions/<int:number>/": Row(
        lambda t: f"/plans/{t.agreed.pk}/revisions/1/", {"therapist_a": 200, "supervisor": 200}
    ),
    "plans/<int:plan_id>/summary/": Row(
        lambda t: f"/plans/{t.agreed.pk}/summary/",
        {"therapist_a": 200, "supervisor": 200, "client_a": 200},
    ),
    "plans/<int:plan_id>/summary.pdf": Row(
        lambda t: f"/plans/{t.agreed.pk}/summary.pdf",
        {"therapist_a": 200, "supervisor": 200, "client_a": 200},
    ),
    "plans/<int:plan_id>/shared-screen/": Row(
        lambda t: f"/plans/{t.draft.pk}/shared-screen/", {"therapist_a": 302}, method="post"
    ),
    "shared-screen/exit/": Row(lambda t: "/shared-screen/exit/", {}, default=302),
    "me/plans/<int:plan_id>/": Row(lambda t: f"/me/plans/{t.agreed.pk}/", {"client_a": 200}),
    "me/plans/propose/": Row(lambda t: "/me/plans/propose/", each(CLIENTS, 200)),
    "me/practice/": Row(lambda t: "/me/practice/", each(CLIENTS, 400), method="post"),
    "me/plans/<int:plan_id>/log/": Row(
        lambda t: f"/me/plans/{t.agreed.pk}/log/", {"client_a": 200}
    ),
    "me/diary/": Row(lambda t: "/me/diary/", each(CLIENTS, 200)),
    "me/check-in/": Row(lambda t: "/me/check-in/", each(CLIENTS, 200)),
    # A form post is not JSON (415); signed out is 401, not a redirect (the phone keeps it).
    "me/sync/": Row(lambda t: "/me/sync/", {**each(CLIENTS, 415), "anonymous": 401}, method="post"),
    "me/history/": Row(lambda t: "/me/history/", each(CLIENTS, 200)),
    "me/progress/": Row(lambda t: "/me/progress/", each(CLIENTS, 200)),
    "me/progress/<slug:name>.svg": Row(lambda t: "/me/progress/check-ins.svg", {"client_a": 200}),
    "practice/<int:log_id>/": Row(
        lambda t: f"/practice/{t.log.pk}/",
        {"therapist_a": 200, "supervisor": 200, "client_a": 200},
    ),
    "practice/<int:log_id>/series.svg": Row(
        lambda t: f"/practice/{t.exposure.pk}/series.svg",
        {"therapist_a": 200, "supervisor": 200, "client_a": 200},
    ),
    "practice/<int:log_id>/privacy/": Row(
        lambda t: f"/practice/{t.private_log.pk}/privacy/",
        {"client_a": 302},
        method="post",
        data={"visible_to": "care-team"},
    ),
    "clients/<int:client_id>/scales/": Row(
        lambda t: f"/clients/{t.client_a.pk}/scales/", {"therapist_a": 200}
    ),
    # Personal access tokens: everyone signed in has their own page; a clinic admin sees the
    # clinic's; a token is revoked by its owner (therapist A) or the clinic's admin.
    "tokens/": Row(lambda t: "/tokens/", {}, default=200),
    "tokens/clinic/": Row(lambda t: "/tokens/clinic/", {"admin": 200, "other_admin": 200}),
    "tokens/<int:token_id>/revoke/": Row(
        lambda t: f"/tokens/{t.access_token.pk}/revoke/",
        {"therapist_a": 302, "admin": 302},
        method="post",
    ),
    "manifest.webmanifest": Row(lambda t: "/manifest.webmanifest", {"anonymous": 200}, 200),
    "sw.js": Row(lambda t: "/sw.js", {"anonymous": 200}, 200),
    "me/offline/": Row(lambda t: "/me/offline/", {"anonymous": 200}, 200),
    "me/prompts/<int:prompt_id>/": Row(lambda t: f"/me/prompts/{t.prompt.pk}/", {"client_a": 302}),
    "me/prompts/<int:prompt_id>/snooze/": Row(
        lambda t: f"/me/prompts/{t.prompt.pk}/snooze/", {"client_a": 302}, method="post"
    ),
    "me/reminders/": Row(lambda t: "/me/reminders/", each(CLIENTS, 200)),
    "me/reminders/<int:schedule_id>/": Row(
        lambda t: f"/me/reminders/{t.schedule.pk}/", {"client_a": 200}
    ),
    "calendar/<str:token>.ics": Row(
        lambda t: f"/calendar/{t.feed_token}.ics", {"anonymous": 200}, default=200
    ),
    "me/reminders/calendar/": Row(
        lambda t: "/me/reminders/calendar/",
        each(CLIENTS, 302),
        method="post",
        data={"action": "stop"},
    ),
    "me/plans/<int:plan_id>/reminders/new/": Row(
        lambda t: f"/me/plans/{t.agreed.pk}/reminders/new/", {"client_a": 200}
    ),
    "me/push/subscribe/": Row(lambda t: "/me/push/subscribe/", each(CLIENTS, 400), method="post"),
    "clients/<int:client_id>/reminders/": Row(
        lambda t: f"/clients/{t.client_a.pk}/reminders/", {"therapist_a": 200, "supervisor": 200}
    ),
    "clients/<int:client_id>/reminders/new/": Row(
        lambda t: f"/clients/{t.client_a.pk}/reminders/new/", {"therapist_a": 200}
    ),
    "schedules/<int:schedule_id>/": Row(
        lambda t: f"/schedules/{t.schedule.pk}/", {"therapist_a": 200}
    ),
    "me/measures/<slug:slug>/": Row(lambda t: "/me/measures/phq-9/", each(CLIENTS, 200)),
    "clients/<int:client_id>/charts/<slug:name>.svg": Row(
        lambda t: f"/clients/{t.client_a.pk}/charts/check-ins.svg",
        {"therapist_a": 200, "supervisor": 200},
    ),
    "clients/<int:client_id>/engagement.csv": Row(
        lambda t: f"/clients/{t.client_a.pk}/engagement.csv",
        {"therapist_a": 200, "supervisor": 200},
    ),
    "clients/<int:client_id>/measures/<slug:slug>/": Row(
        lambda t: f"/clients/{t.client_a.pk}/measures/gad-7/", {"therapist_a": 200}
    ),
    "clients/<int:client_id>/agenda/": Row(
        lambda t: f"/clients/{t.client_a.pk}/agenda/", {"therapist_a": 200, "supervisor": 200}
    ),
    "flags/<int:flag_id>/acknowledge/": Row(
        lambda t: f"/flags/{t.flag.pk}/acknowledge/", {"therapist_a": 302}, method="post"
    ),
    "clients/<int:client_id>/flags/": Row(
        lambda t: f"/clients/{t.client_a.pk}/flags/", {"therapist_a": 200, "supervisor": 200}
    ),
    "responses/<int:response_id>/baseline/": Row(
        lambda t: f"/responses/{t.response.pk}/baseline/", {"therapist_a": 302}, method="post"
    ),
    # A trainee's dashboard: their supervisor, and the trainee themselves; nobody else.
    "supervision/therapists/<int:therapist_id>/": Row(
        lambda t: f"/supervision/therapists/{t.therapist_a.pk}/",
        {"therapist_a": 200, "supervisor": 200},
    ),
    "supervision/therapists/<int:therapist_id>/indicators.csv": Row(
        lambda t: f"/supervision/therapists/{t.therapist_a.pk}/indicators.csv",
        {"therapist_a": 200, "supervisor": 200},
    ),
    # A client's record as FHIR: the staff who may read the client, in either mode.
    "fhir/clients/<int:client_id>/": Row(
        lambda t: f"/fhir/clients/{t.client_a.pk}/", {"therapist_a": 200, "supervisor": 200}
    ),
    "fhir/clients/<int:client_id>/record.json": Row(
        lambda t: f"/fhir/clients/{t.client_a.pk}/record.json",
        {"therapist_a": 200, "supervisor": 200},
    ),
    "fhir/clients/<int:client_id>/pseudonymised.json": Row(
        lambda t: f"/fhir/clients/{t.client_a.pk}/pseudonymised.json",
        {"therapist_a": 200, "supervisor": 200},
    ),
    "fhir/import/": Row(lambda t: "/fhir/import/", {"admin": 200, "other_admin": 200}),
    "clinic/": Row(lambda t: "/clinic/", {"admin": 200, "other_admin": 200}),
    "clinic/instruments/": Row(
        lambda t: "/clinic/instruments/", {"admin": 200, "other_admin": 200}
    ),
    "clinic/settings/": Row(lambda t: "/clinic/settings/", {"admin": 200, "other_admin": 200}),
    "clinic/staff/invite/": Row(
        lambda t: "/clinic/staff/invite/", {"admin": 200, "other_admin": 200}
    ),
    "clinic/staff/<int:user_id>/": Row(
        lambda t: f"/clinic/staff/{t.therapist_a.pk}/", {"admin": 200}
    ),
    "clinic/staff/<int:user_id>/reset-second-factor/": Row(
        lambda t: f"/clinic/staff/{t.therapist_a.pk}/reset-second-factor/",
        {"admin": 302},
        method="post",
    ),
    "clinic/staff/<int:user_id>/email/": Row(
        lambda t: f"/clinic/staff/{t.therapist_a.pk}/email/",
        {"admin": 302},
        method="post",
        data={"email": "therapist_a.new@example.org"},
    ),
    "clinic/staff/<int:user_id>/send-password-reset/": Row(
        lambda t: f"/clinic/staff/{t.therapist_a.pk}/send-password-reset/",
        {"admin": 302},
        method="post",
    ),
    "clinic/clients/": Row(lambda t: "/clinic/clients/", {"admin": 200, "other_admin": 200}),
    "clinic/clients/new/": Row(
        lambda t: "/clinic/clients/new/", {"admin": 200, "other_admin": 200}
    ),
    "clinic/clients/<int:client_id>/": Row(
        lambda t: f"/clinic/clients/{t.client_a.pk}/", {"admin": 200}
    ),
    "clinic/clients/<int:client_id>/email/": Row(
        lambda t: f"/clinic/clients/{t.client_a.pk}/email/",
        {"admin": 302},
        method="post",
        data={"email": "client_a.new@example.org"},
    ),
    "clinic/clients/<int:client_id>/send-password-reset/": Row(
        lambda t: f"/clinic/clients/{t.client_a.pk}/send-password-reset/",
        {"admin": 302},
        method="post",
    ),
    "clinic/invitations/<int:invitation_id>/revoke/": Row(
        lambda t: f"/clinic/invitations/{t.invitation.pk}/revoke/", {"admin": 302}, method="post"
    ),
    "clinic/invitations/<int:invitation_id>/reissue/": Row(
        lambda t: f"/clinic/invitations/{t.invitation.pk}/reissue/",
        {"admin": 302},
        method="post",
    ),
    "clinic/audit/": Row(lambda t: "/clinic/audit/", {"admin": 200, "other_admin": 200}),
    "clinic/audit/export.csv": Row(
        lambda t: "/clinic/audit/export.csv", {"admin": 200, "other_admin": 200}
    ),
    "supervision/agreement/": Row(
        lambda t: "/supervision/agreement/",
        each(("therapist_a", "therapist_b", "supervisor", "other_therapist"), 200),
    ),
    # Nobody in the cast has rated a session together with someone else.
    "supervision/agreement/<int:rater_id>/<int:scale_id>/": Row(
        lambda t: f"/supervision/agreement/{t.therapist_a.pk}/1/", {}
    ),
    # Training with scenarios (supervision/training_views.py): supervisors assign, the
    # therapist assigned practises; attempts are role-plays on a training client.
    "supervision/scenarios/": Row(lambda t: "/supervision/scenarios/", {"supervisor": 200}),
    "supervision/scenarios/<slug:slug>/": Row(
        lambda t: "/supervision/scenarios/did-i-pass/", {"supervisor": 200}
    ),
    # Without a therapist chosen the form is refused with its message (400); assigning to
    # one's own supervisee, and to no one else, is in supervision/tests/test_training.py.
    "supervision/scenarios/<slug:slug>/assign/": Row(
        lambda t: "/supervision/scenarios/did-i-pass/assign/", {"supervisor": 400}, method="post"
    ),
    "supervision/assignments/<int:assignment_id>/close/": Row(
        lambda t: f"/supervision/assignments/{t.assignment.pk}/close/",
        {"supervisor": 302},
        method="post",
    ),
    "training/": Row(
        lambda t: "/training/", each(("therapist_a", "therapist_b", "other_therapist"), 200)
    ),
    "training/assignments/<int:assignment_id>/": Row(
        lambda t: f"/training/assignments/{t.assignment.pk}/",
        {"therapist_a": 200, "supervisor": 200},
    ),
    "training/assignments/<int:assignment_id>/attempts/": Row(
        lambda t: f"/training/assignments/{t.assignment.pk}/attempts/",
        {"therapist_a": 302},
        method="post",
    ),
    "training/attempts/<int:role_play_id>/finish/": Row(
        lambda t: f"/training/attempts/{t.role_play.pk}/finish/",
        {"therapist_a": 302},
        method="post",
    ),
    # Supervision: rating a session. Therapists and supervisors have the home; a supervisor
    # rates their supervisee's (A's) sessions, therapist A their own as a self-rating.
    "supervision/": Row(
        lambda t: "/supervision/",
        each(("therapist_a", "therapist_b", "supervisor", "other_therapist"), 200),
    ),
    # Its own session: therapist A's self-rating draft of the rated one would hide that rating
    # from them (blind self-rating).
    "supervision/sessions/<int:session_id>/rate/": Row(
        lambda t: f"/supervision/sessions/{t.session_to_rate.pk}/rate/",
        {"therapist_a": 302, "supervisor": 302},
        method="post",
    ),
    # The supervisor's submitted rating of A's session: its rater and the therapist rated.
    "supervision/ratings/<int:rating_id>/": Row(
        lambda t: f"/supervision/ratings/{t.rating.pk}/", {"therapist_a": 200, "supervisor": 200}
    ),
    # Research (research/views.py): the clinic admin sets up the clinic's studies and grants
    # access; only a researcher holding an open access to the study reads and exports it.
    "research/": Row(lambda t: "/research/", {"researcher": 200}),
    "research/studies/": Row(lambda t: "/research/studies/", {"admin": 200, "other_admin": 200}),
    "research/studies/new/": Row(
        lambda t: "/research/studies/new/", {"admin": 200, "other_admin": 200}
    ),
    "research/studies/<int:study_id>/": Row(
        lambda t: f"/research/studies/{t.study.pk}/", {"researcher": 200}
    ),
    "research/studies/<int:study_id>/edit/": Row(
        lambda t: f"/research/studies/{t.study.pk}/edit/", {"admin": 200}
    ),
    "research/studies/<int:study_id>/access/": Row(
        lambda t: f"/research/studies/{t.study.pk}/access/", {"admin": 200}
    ),
    "research/studies/<int:study_id>/exports/": Row(
        lambda t: f"/research/studies/{t.study.pk}/exports/",
        {"researcher": 302},
        method="post",
        data={"format": "csv"},
    ),
    "research/studies/<int:study_id>/codebook/": Row(
        lambda t: f"/research/studies/{t.study.pk}/codebook/", {"researcher": 200}
    ),
    # The engagement model (too few clients here: its message) and the example meta-analysis.
    "research/studies/<int:study_id>/analyses/": Row(
        lambda t: f"/research/studies/{t.study.pk}/analyses/", {"researcher": 200}
    ),
    "research/studies/<int:study_id>/datapackage.json": Row(
        lambda t: f"/research/studies/{t.study.pk}/datapackage.json", {"researcher": 200}
    ),
    "research/exports/<int:export_id>/status/": Row(
        lambda t: f"/research/exports/{t.export.pk}/status/", {"researcher": 200}
    ),
    "research/exports/<int:export_id>/download/": Row(
        lambda t: f"/research/exports/{t.export.pk}/download/", {"researcher": 200}
    ),
    "records/policy/": Row(lambda t: "/records/policy/", {"admin": 200, "other_admin": 200}),
    "records/clients/<int:client_id>/": Row(
        lambda t: f"/records/clients/{t.client_a.pk}/", {"admin": 200}
    ),
    "records/clients/<int:client_id>/holds/": Row(
        lambda t: f"/records/clients/{t.client_a.pk}/holds/",
        {"admin": 302},
        method="post",
        data={"reason": "Court case", "ends_on": "2099-01-01"},
    ),
    "records/clients/<int:client_id>/erasure-requests/": Row(
        lambda t: f"/records/clients/{t.client_a.pk}/erasure-requests/",
        {"admin": 302},
        method="post",
        data={"received_from": "client"},
    ),
    "records/holds/<int:hold_id>/release/": Row(
        lambda t: f"/records/holds/{t.hold.pk}/release/", {"admin": 302}, method="post"
    ),
    # Client A is in therapy: the erasure is refused, back to their records page.
    "records/erasure-requests/<int:request_id>/erase/": Row(
        lambda t: f"/records/erasure-requests/{t.erasure_request.pk}/erase/",
        {"admin": 302},
        method="post",
    ),
    "records/erasures/": Row(lambda t: "/records/erasures/", {"admin": 200, "other_admin": 200}),
}


# Routes that open no client's record for anyone, so an answer leaves nothing in the trail.
NO_CLIENT_DATA: dict[str, str] = {
    "fhir/import/": "the import form: a file field and the clinic's therapists",
    "tokens/": "one's own access tokens: names and dates",
    "accounts/settings/": "one's own language",
    "tokens/<int:token_id>/revoke/": "revoking an access token (its audit row is the clinic's)",
    "research/exports/<int:export_id>/status/": "how far an export is: counts, polled often",
    "": "where each person lands: a redirect by role",
    "healthz": "the database's health",
    "accounts/sign-in/": "signing in; a signed-in person is sent on",
    "accounts/sign-out/": "signing out",
    "accounts/second-factor/": "the person's own second factor",
    "accounts/second-factor/setup/": "the person's own authenticator app (making it is audited)",
    "accounts/second-factor/passkey/": "registering one's own passkey (audited when done)",
    "accounts/passkeys/": "one's own passkeys: names and dates",
    "accounts/passkeys/<int:passkey_id>/name/": "naming one's own passkey (audited)",
    "accounts/passkeys/<int:passkey_id>/remove/": "removing one's own passkey (audited)",
    "accounts/passkeys/registration/begin/": "a registration's options: a challenge",
    "accounts/passkeys/registration/complete/": "registering a passkey (audited)",
    "accounts/passkeys/authentication/begin/": "a sign-in's options: a challenge",
    "accounts/passkeys/authentication/complete/": "signing in (the sign-in is audited)",
    "accounts/passkeys/jsi18n/": "the passkey scripts' messages",
    "accounts/password-reset/": "asking for a link: the same answer for every address",
    "accounts/password-reset/sent/": "a page of text",
    "accounts/password-reset/new/": "a new password for the link's own account",
    "accounts/password-reset/<str:token>/": "the link's verdict, kept for the page above",
    "invitations/<str:token>/": "the link's holder sees the clinic and the address it went to",
    "plans/templates/": "the clinic's plan templates",
    "plans/templates/new/": "adding a plan template",
    "shared-screen/exit/": "leaving shared-screen mode takes the person's own password",
    "manifest.webmanifest": "the phone app's shell",
    "sw.js": "the phone app's shell",
    "me/offline/": "the phone app's shell",
    "clinic/settings/": "the clinic's own settings",
    "clinic/instruments/": "the clinic's questionnaires",
    "clinic/staff/invite/": "inviting staff: an empty form",
    "clinic/clients/new/": "adding a client: an empty form and the clinic's staff",
    "research/studies/new/": "setting up a study: an empty form and the codebook's tables",
}
# Routes whose secret address is the credential: the trail names the link, not whoever is
# signed in in the browser that opens it.
BY_LINK = {"calendar/<str:token>.ics"}
# 404s that refuse nobody: the URL names no one else's object, and the asker's own has none.
NOT_REFUSALS: dict[str, str] = {
    "me/progress/<slug:name>.svg": "client B has no check-ins, so no such picture of their own",
}


class MatrixObjects(MatrixCase):
    """The matrix's objects made (the API's matrix, test_api_permissions, makes the same)."""

    def setUp(self) -> None:
        self.passkey = WebAuthnCredential.objects.create(
            user=user_of(self.client_a), name="Phone", confirmed=True, credential_id=b"id"
        )
        self.goal = care.add_goal(self.client_a, text="Sleep better", by=self.therapist_a)
        self.access_token, _secret = interop.create_token(
            self.therapist_a,
            name="Record system",
            can_write=False,
            areas=["clients"],
            expires_on=timezone.localdate() + timedelta(days=30),
        )
        self.session = self.client_a.sessions.create(
            therapist=self.therapist_a, number=1, starts_at="2026-11-02T10:00:00Z"
        )
        self.invitation, self.token = self.open_invitation()
        _reset, self.reset_token = accounts.issue_password_reset(user_of(self.client_b), by=None)
        self.draft = plans.start_plan(self.client_a, by=self.therapist_a)
        self.agreed = plans.start_plan(
            self.client_a, by=self.therapist_a, template=PlanTemplate.objects.first()
        )
        plans.agree(self.agreed, by=self.therapist_a)
        self.proposal = plans.propose(
            self.client_a, by=user_of(self.client_a), title="Swim", what="Go swimming on Sunday"
        )

        client_a = user_of(self.client_a)
        self.log = practice.log_practice(
            self.client_a,
            by=client_a,
            uid=uuid.uuid4(),
            plan=self.agreed,
            outcome="done",
            sheet=worksheets.current("quick"),
            entries={"how_it_went": 70},
        ).entry
        self.exposure = practice.log_practice(
            self.client_a,
            by=client_a,
            uid=uuid.uuid4(),
            plan=self.agreed,
            outcome="done",
            sheet=worksheets.current("exposure-log"),
            entries={
                "situation": "Bus",
                "distress_before": 60,
                "series": [{"minute": 0, "distress": 60}, {"minute": 5, "distress": 80}],
            },
        ).entry
        self.private_log = practice.log_practice(
            self.client_a,
            by=client_a,
            uid=uuid.uuid4(),
            plan=None,
            outcome="",
            private=True,
            sheet=worksheets.current("free-diary"),
            entries={"entry": "Only mine"},
        ).entry
        scale = practice.add_scale(
            self.client_a,
            by=self.therapist_a,
            name="Mood",
            low_anchor="very low",
            high_anchor="very good",
        )
        practice.check_in(self.client_a, by=client_a, uid=uuid.uuid4(), ratings={scale.pk: 40})
        self.schedule = schedules.set_schedule(
            self.client_a,
            by=self.therapist_a,
            purpose="practice",
            plan=self.agreed,
            rule={"kind": "fixed", "times": ["19:00"]},
            channels=[],
        )
        self.prompt = Prompt.objects.filter(schedule=self.schedule).first()  # type: ignore[assignment]
        care.set_consent(self.client_a, "reminders-calendar", True, by=client_a)
        self.feed_token = subscriptions.new_calendar_feed(self.client_a, by=client_a)
        self.flag = measures.raise_flag(self.client_a, "risk", "Item 9 answered above 0")
        gad7 = measures.current("gad-7", None)
        assert gad7 is not None
        self.response, _flags = measures.respond(
            self.client_a, gad7, {str(n): 1 for n in range(1, 8)}, by=self.therapist_a
        )
        scenario = scenarios.get("did-i-pass")
        assert scenario is not None
        self.assignment = training.assign(
            scenario=scenario, trainee=self.therapist_a, by=self.supervisor
        )
        self.role_play = training.start_attempt(self.assignment, by=self.therapist_a)
        self.past_session = care.add_session(
            self.client_a,
            therapist=self.therapist_a,
            starts_at=timezone.now() - timedelta(days=1),
            by=self.therapist_a,
        )
        self.rating = self.submitted_rating()
        self.study, self.export = self.ready_export()
        self.session_to_rate = care.add_session(
            self.client_a,
            therapist=self.therapist_a,
            starts_at=timezone.now() - timedelta(days=2),
            by=self.therapist_a,
        )
        # Made last, and the hold released: a hold in force keeps client A's records
        # read-only, and the matrix walks their changes (records/tests/test_read_only.py
        # walks them under a hold). The request waits while therapy goes on: no hold.
        self.hold = records.place_hold(
            self.client_a,
            reason="Court case",
            ends_on=timezone.localdate() + timedelta(days=365),
            by=self.admin,
        )
        records.release_hold(self.hold, by=self.admin)
        self.erasure_request = records.record_erasure_request(
            self.client_a, received_from="client", by=self.admin
        )

    def submitted_rating(self) -> CompetenceRating:
        scale = Instrument.objects.get(slug="bridgework-competence", clinic=None, retired_at=None)
        rating = supervision.start_rating(self.past_session, scale, by=self.supervisor)
        answers = {item["linkId"]: 3 for item in scale.definition["item"]}
        supervision.save_draft(
            rating, answers=answers, comments={}, comment="Solid", by=self.supervisor
        )
        return supervision.submit(rating, by=self.supervisor)

    def ready_export(self) -> tuple[Study, Export]:
        exports = self.enterContext(tempfile.TemporaryDirectory())
        self.enterContext(override_settings(RESEARCH_EXPORT_DIR=exports))
        care.set_consent(self.client_a, "research", True, by=user_of(self.client_a))
        today = timezone.localdate()
        study = research.create_study(
            by=self.admin,
            name="Engagement",
            purpose="Engagement and outcome",
            starts_on=today - timedelta(days=30),
            ends_on=today,
            tables=["clients", "sessions"],
        )
        research.grant_access(study, self.researcher, by=self.admin)
        export = research.request_export(study, "csv", by=self.researcher)
        research_jobs.run_export(research_jobs.claim_export("matrix") or export, worker="matrix")
        export.refresh_from_db()
        return study, export

    def tearDown(self) -> None:
        self.client.logout()  # leaves no shared-screen mode behind

    def actor(self, name: str) -> object:
        return None if name == "anonymous" else getattr(self, name)


class PermissionMatrixTests(MatrixObjects):
    def test_every_url_pattern_is_in_the_matrix(self) -> None:
        # The REST API's routes have their own matrix, walked with tokens for every method
        # (bridgework/tests/test_api_permissions.py).
        served = {route for route in routes() if not route.startswith(API_PREFIX)}
        self.assertEqual(served - set(MATRIX), set(), "URLs with no row in the permission matrix")
        self.assertEqual(set(MATRIX) - served, set(), "Matrix rows for URLs that no longer exist")
        exceptions = set(NO_CLIENT_DATA) | set(NOT_REFUSALS) | BY_LINK
        self.assertEqual(exceptions - set(MATRIX), set(), "Trail exceptions for no matrix row")

    def test_a_private_entry_exists_for_its_client_only(self) -> None:
        url = f"/practice/{self.private_log.pk}/"
        for actor in ("therapist_a", "supervisor", "admin", "researcher", "client_b"):
            with self.subTest(actor=actor):
                self.sign_in(getattr(self, actor))
                self.assertEqual(self.client.get(url).status_code, 404)
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertNotContains(page, f"/practice/{self.private_log.pk}/")
        self.assertNotContains(page, "Diary")
        self.sign_in(self.client_a)
        self.assertEqual(self.client.get(url).status_code, 200)
        self.assertContains(self.client.get("/me/history/"), url)

    def test_a_client_never_sees_a_draft(self) -> None:
        self.sign_in(self.client_a)
        for url in (f"/me/plans/{self.draft.pk}/", f"/plans/{self.draft.pk}/summary/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_each_actor_gets_the_expected_status_on_every_url(self) -> None:
        for route, row in MATRIX.items():
            for actor in ACTORS:
                with self.subTest(route=route, actor=actor):
                    self.sign_in(self.actor(actor))  # type: ignore[arg-type]
                    self.client.session.pop("shared_screen_plan", None)
                    last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()
                    response = getattr(self.client, row.method)(row.url(self), row.data)
                    self.assertEqual(response.status_code, row.status_for(actor))
                    events = AccessEvent.objects.filter(id__gt=last or 0)
                    self.assert_trail_of(route, actor, response, list(events))
        # Every page and refusal left ids and kinds in the trail (a consent's id names its
        # purpose), nothing typed by a person: the clinic admin's trail page shows them.
        for event in AccessEvent.objects.all():
            with self.subTest(event=str(event)):
                self.assertRegex(event.object_id, r"^([0-9]+(:[a-z-]+)?)?$")
                self.assertRegex(f"{event.actor_role} {event.object_type}", r"^[a-z_-]+ [a-z-]+$")
                # What a change changed: field names, and values that are codes, numbers,
                # times and ids (no spaces: sentences stay in the record).
                changes = event.changes
                for name in [*changes.get("values", {}), *changes.get("named", [])]:
                    self.assertRegex(name, r"^[a-z_]+$")
                for text in strings_in([changes.get("values"), changes.get("detail")]):
                    self.assertRegex(text, r"^[A-Za-z0-9_:.+/-]*$")

    def assert_trail_of(
        self, route: str, actor: str, response: HttpResponseBase, events: list[AccessEvent]
    ) -> None:
        """What the request left in the trail, by the person who asked (see the docstring)."""
        person = None if route in BY_LINK else self.actor(actor)
        if isinstance(person, Client):
            person = user_of(person)
        asker = person.pk if isinstance(person, User) else None
        theirs = [event for event in events if event.actor_id == asker]
        status = response.status_code
        signed_out = actor == "anonymous" and (
            status == 401 or response.get("Location", "").startswith("/accounts/sign-in/")
        )
        if status == 404 and route not in NOT_REFUSALS:
            self.assertTrue(
                any(not event.allowed for event in theirs), "a 404 with no refusal in the trail"
            )
        elif status != 404 and not signed_out and route not in NO_CLIENT_DATA:
            self.assertTrue(
                any(event.allowed for event in theirs), "an answer with no access event"
            )
        if status < 400:
            self.assertEqual([e for e in theirs if not e.allowed], [], "a refusal, yet answered")

    def test_anonymous_visitors_are_sent_to_sign_in(self) -> None:
        response = self.client.get(f"/clients/{self.client_a.pk}/")
        self.assertRedirects(
            response,
            f"/accounts/sign-in/?next=/clients/{self.client_a.pk}/",
            fetch_redirect_response=False,
        )

    def test_another_clinics_client_is_404_even_for_its_ids_neighbours(self) -> None:
        self.sign_in(self.therapist_a)
        for url in (
            f"/clients/{self.other_client.pk}/",
            f"/clients/{self.client_b.pk}/",
            "/clients/999999/",
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)

    def test_another_clinics_admin_changes_no_address_and_sends_no_link(self) -> None:
        self.sign_in(self.other_admin)
        for url in (
            f"/clinic/staff/{self.therapist_a.pk}/email/",
            f"/clinic/clients/{self.client_a.pk}/email/",
            f"/clinic/staff/{self.therapist_a.pk}/send-password-reset/",
            f"/clinic/clients/{self.client_a.pk}/send-password-reset/",
        ):
            with self.subTest(url=url):
                response = self.client.post(url, {"email": "mine@example.org"})
                self.assertEqual(response.status_code, 404)
        account = User.objects.get(client_record=self.client_a)
        self.assertEqual(account.email, "client_a@example.org")
        self.assertFalse(account.password_resets.filter(sent_by=self.other_admin).exists())

    def test_a_supervisor_opens_the_dashboards_of_their_supervisees_only(self) -> None:
        urls = [
            f"/supervision/therapists/{self.therapist_b.pk}/",
            f"/supervision/therapists/{self.therapist_b.pk}/indicators.csv",
            f"/supervision/therapists/{self.other_therapist.pk}/",
            f"/supervision/therapists/{self.supervisor.pk}/",  # a supervisor is no trainee
            "/supervision/therapists/999999/",
        ]
        for url in urls:
            with self.subTest(url=url):
                self.sign_in(self.supervisor)
                self.assertEqual(self.client.get(url).status_code, 404)
        self.sign_in(self.therapist_b)
        self.assertEqual(self.client.get(urls[0]).status_code, 200)  # their own
        self.sign_in(self.other_admin)
        self.assertEqual(
            self.client.get(f"/supervision/therapists/{self.other_therapist.pk}/").status_code, 404
        )

    def test_an_admin_cannot_reach_another_clinics_invitation(self) -> None:
        self.sign_in(self.other_admin)
        response = self.client.post(f"/clinic/invitations/{self.invitation.pk}/revoke/")
        self.assertEqual(response.status_code, 404)
        self.invitation.refresh_from_db()
        self.assertIsNone(self.invitation.revoked_at)
