"""Every change to training: assigning a scenario, closing an assignment, starting and
finishing an attempt. One function each, audited, refusing what may not happen with a message.

An attempt is a role-play on a training client made for it: a made-up client (no person, no
account; `care.Client.is_training`) with the trainee as its care team, the role-play's
therapy session now, and, when the scenario brings one, an earlier session with the plan
agreed in it and what the practice log shows since. Everything is made through the actions
of the apps it belongs to (care, plans, practice), so the trainee works on real records with
the real pages, and the whole attempt is made in one transaction or not at all.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed, snapshot
from bridgework.care import actions as care
from bridgework.care.models import Client, TherapySession
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.supervision import scenarios
from bridgework.supervision.access import supervises
from bridgework.supervision.models import Assignment, RolePlay
from bridgework.supervision.scenarios import Scenario, Setup

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE
# The practice of a scenario's earlier plan is logged on the quick worksheet: a rating and
# a note say what the story needs, whatever the plan's own worksheet would ask.
PRACTICE_SHEET = "quick"
CLIENT_NAME_LENGTH = Client._meta.get_field("full_name").max_length or 120


class TrainingRefused(Exception):
    """What may not be done, and why, in words for the person who tried."""


def may_train(trainee: User) -> bool:
    # A role-play's client needs a therapist on its care team (care.access reads them so).
    return trainee.is_active and trainee.is_therapist


@transaction.atomic
def assign(*, scenario: Scenario, trainee: User, by: User, note: str = "") -> Assignment:
    if not supervises(by, trainee) or not may_train(trainee):
        raise TrainingRefused(_("You can assign scenarios only to therapists you supervise."))
    assignment = Assignment.objects.create(
        clinic_id=by.clinic_id,
        scenario=scenario.slug,
        trainee=trainee,
        assigned_by=by,
        note=note.strip(),
    )
    changed(by, CREATE, assignment, detail={"version": scenario.version})
    return assignment


@transaction.atomic
def close(assignment: Assignment, *, by: User) -> Assignment:
    """No more attempts; those made stay, with their ratings. Only a supervisor of the
    trainee at the time of closing may (a supervision may end after the page was opened)."""
    locked = Assignment.objects.select_for_update().select_related("trainee").get(pk=assignment.pk)
    if not supervises(by, locked.trainee):
        raise TrainingRefused(_("You can close assignments only of therapists you supervise."))
    if locked.closed_at is not None:
        raise TrainingRefused(_("This assignment is closed already."))
    was = snapshot(locked)
    locked.closed_at = timezone.now()
    locked.save(update_fields=["closed_at"])
    changed(by, CHANGE, locked, before=was)
    return locked


@transaction.atomic
def start_attempt(assignment: Assignment, *, by: User, now: datetime | None = None) -> RolePlay:
    """The next attempt at an open assignment, by its trainee, once the last one is finished:
    its training client, records and session, numbered 1, 2, … per assignment."""
    # The lock makes attempts started at once take turns: the second sees the first and is
    # refused (a double click, two tabs), and no two ever get the same number.
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    scenario = startable(locked, by=by)
    latest = locked.attempts.order_by("-number").first()
    if latest is not None and latest.finished_at is None:
        raise TrainingRefused(
            _(
                "Finish attempt %(number)d first: one attempt at a time, so each one is rated "
                "on its own."
            )
            % {"number": latest.number}
        )
    now = now or timezone.now()
    number = (latest.number if latest is not None else 0) + 1
    client = care.add_client(
        clinic=by.clinic,
        full_name=client_name(scenario, number),
        care_team=[by],
        by=by,
        is_training=True,
    )
    earlier = earlier_session(client, scenario.setup, by=by, now=now)
    session = care.add_session(client, therapist=by, starts_at=now, by=by)
    if session.client_id != client.pk:
        # RolePlay.client repeats its session's client for the doors and the audit scope;
        # the two must never tell different stories.
        raise ValueError("a role-play's session must be of its own training client")
    if scenario.setup is not None and earlier is not None:
        set_up_plan(client, scenario, scenario.setup, earlier, session, by=by, now=now)
    role_play = RolePlay.objects.create(
        assignment=locked, number=number, client=client, session=session, started_at=now
    )
    changed(by, CREATE, role_play, detail={"assignment": locked.pk})
    return role_play


def startable(assignment: Assignment, *, by: User) -> Scenario:
    """The scenario of an assignment `by` may start an attempt at now, or TrainingRefused."""
    if assignment.trainee_id != by.pk:
        # The door (training_access) answers 404 before this; the action still refuses any
        # other caller (a command, the demo, a later API).
        raise TrainingRefused(
            _("Only the therapist this scenario was assigned to can practise it.")
        )
    if not may_train(by):
        raise TrainingRefused(
            _(
                "Practising needs the therapist role: a role-play's training client needs a "
                "therapist on its care team. Ask your clinic's admin."
            )
        )
    if assignment.closed_at is not None:
        raise TrainingRefused(
            _("This assignment was closed, so no new attempt can be started. Ask your supervisor.")
        )
    scenario = scenarios.get(assignment.scenario)
    if scenario is None:
        raise TrainingRefused(_("This scenario is no longer in the library."))
    return scenario


def client_name(scenario: Scenario, number: int) -> str:
    """ "Role-play: <title> · attempt <n>", within care.Client.full_name's length whatever the
    title or its translation: the title gives way (with an ellipsis), the number stays."""
    name = _("%(name)s · attempt %(number)d")
    title = scenario.training_name
    whole = name % {"name": title, "number": number}
    excess = len(whole) - CLIENT_NAME_LENGTH
    if excess <= 0:
        return whole
    shortened = title[: max(len(title) - excess - 1, 0)].rstrip() + "…"
    # [:] only bites if the words around the title alone were too long for the field.
    return (name % {"name": shortened, "number": number})[:CLIENT_NAME_LENGTH]


def earlier_session(
    client: Client, setup: Setup | None, *, by: User, now: datetime
) -> TherapySession | None:
    if setup is None:
        return None
    return care.add_session(
        client,
        therapist=by,
        starts_at=now - timedelta(days=setup.days_before),
        by=by,
        takeaway=setup.takeaway,
    )


def set_up_plan(
    client: Client,
    scenario: Scenario,
    setup: Setup,
    earlier: TherapySession,
    session: TherapySession,
    *,
    by: User,
    now: datetime,
) -> ActionPlan:
    """The plan of the earlier session, agreed and started, to be reviewed in the role-play,
    with the practice the scenario says the client logged."""
    goals = [care.add_goal(client, text=setup.goal, by=by)] if setup.goal else []
    plan = plans.start_plan(client, by=by, approach=scenario.approach)
    links = {"set_in_session": earlier, "builds_on": earlier, "review_session": session}
    plan = plans.save_plan(
        plan,
        by=by,
        version=plan.version,
        fields={**setup.plan, **links},
        goals=goals,
        obstacles=[dict(obstacle) for obstacle in setup.obstacles],
    )
    plans.activate(plans.agree(plan, by=by), by=by)
    log_practice(client, plan, setup, earlier, by=by, now=now)
    return plan


def log_practice(
    client: Client,
    plan: ActionPlan,
    setup: Setup,
    earlier: TherapySession,
    *,
    by: User,
    now: datetime,
) -> None:
    """The scenario's practice, spread evenly between the earlier session and now, on whole
    days at the session's time of day where the gap allows (not at two in the morning); the
    note goes with the last entry."""
    told = setup.practice
    if told.outcome == scenarios.NO_PRACTICE:
        return
    sheet = worksheets.current(PRACTICE_SHEET)
    step = (now - earlier.starts_at) / (told.times + 1)
    if step >= timedelta(days=1):
        step = timedelta(days=step // timedelta(days=1))
    entries = {} if told.how_it_went is None else {"how_it_went": told.how_it_went}
    for index in range(1, told.times + 1):
        practice.log_practice(
            client,
            by=by,
            uid=uuid.uuid4(),
            plan=plan,
            outcome=told.outcome,
            sheet=sheet,
            entries=entries,
            practiced_at=earlier.starts_at + step * index,
            note=told.note if index == told.times else "",
        )


@transaction.atomic
def finish_attempt(role_play: RolePlay, *, by: User) -> RolePlay:
    if role_play.assignment.trainee_id != by.pk:
        raise TrainingRefused(_("Only the therapist who made this attempt can finish it."))
    locked = RolePlay.objects.select_for_update().select_related("client").get(pk=role_play.pk)
    if locked.finished_at is not None:
        raise TrainingRefused(_("This attempt is finished already."))
    was = snapshot(locked)
    locked.finished_at = timezone.now()
    locked.save(update_fields=["finished_at"])
    changed(by, CHANGE, locked, before=was)
    return locked
