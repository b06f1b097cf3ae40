from __future__ import annotations

import uuid
from datetime import datetime
from io import StringIO
from unittest import mock

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.test import Client as DjangoTestClient
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import Clinic, User
from bridgework.audit.trail import verify
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.measures import actions as measures
from bridgework.measures.models import Flag, Response
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate, Review
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.practice.models import CheckIn, PracticeLog
from bridgework.prompts.models import Prompt, Schedule
from bridgework.prompts.states import WAITING_FOR_ANSWER
from bridgework.supervision.models import Assignment, CompetenceRating, RolePlay
from bridgework.test import make_clinic, user_of


def counts() -> dict[str, int]:
    """The rows of every table Bridgework keeps, but the audit trail's (append-only, it grows)."""
    kept = [
        model
        for model in apps.get_models()
        if model.__module__.startswith("bridgework.") and model._meta.app_label != "audit"
    ]
    return {model._meta.label: model.objects.count() for model in [*kept, TOTPDevice]}


def early_today() -> datetime:
    """Before the demo clients' reminders of the day (the earliest at 07:45 in London), so that
    however the day's random check-in moments fall, every seed plans them all."""
    return timezone.now().replace(hour=4, minute=0, second=0, microsecond=0)


def try_the_demo() -> None:
    """What people trying the demo do: a plan and its practice, a risk flag acknowledged and a
    new one, a client, a colleague and a template of the clinic's own, a second factor."""
    clinic = Clinic.objects.get(is_demo=True)
    admin = User.objects.get(email="admin@demo.bridgework.test")
    priya = User.objects.get(email="priya@demo.bridgework.test")
    jordan = Client.objects.get(full_name="Jordan Ellis")
    template = PlanTemplate.objects.filter(clinic=None).order_by("slug").first()
    plan = plans.agree(plans.start_plan(jordan, by=priya, template=template), by=priya)
    practice.log_practice(
        jordan,
        by=user_of(jordan),
        uid=uuid.uuid4(),
        plan=plan,
        outcome="done",
        sheet=worksheets.current("quick"),
        entries={"how_it_went": 70},
    )
    risk = Flag.objects.get(kind="risk")
    measures.acknowledge(risk, by=risk.client.care_team.get(), note="Rang them; safe.")
    phq9 = measures.current("phq-9", None)
    assert phq9 is not None
    measures.respond(jordan, phq9, {str(n): 2 for n in range(1, 10)}, by=priya)
    care.add_client(clinic=clinic, full_name="Trying Out", care_team=[priya], by=admin)
    accounts.invite(
        clinic=clinic,
        email="colleague@example.org",
        kind=User.Kind.STAFF,
        by=admin,
        roles=["therapist"],
        send=False,
    )
    browser = DjangoTestClient()
    browser.force_login(priya)
    added = browser.post(
        "/plans/templates/new/",
        {
            "title": "Gratitude walk",
            "kind": "self-compassion",
            "summary": "Walk and notice.",
            "rationale": "Noticing good things widens attention.",
            "instructions": "Walk 10 min.",
        },
    )
    assert added.status_code == 302
    TOTPDevice.objects.create(user=priya, name="phone")


@pytest.mark.django_db
def test_it_builds_a_realistic_clinic() -> None:
    call_command("seed_demo", stdout=StringIO())
    clinic = Clinic.objects.get(is_demo=True)
    staff = User.objects.filter(clinic=clinic, kind="staff")
    approaches = set(staff.filter(is_therapist=True).values_list("approach", flat=True))
    assert {"cbt", "psychodynamic", "humanistic"} <= approaches
    assert staff.filter(is_clinic_admin=True).exists()
    assert staff.filter(is_supervisor=True, supervisions__isnull=False).exists()
    assert staff.filter(is_researcher=True).exists()
    assert Client.objects.filter(clinic=clinic, is_training=False).count() >= 12
    for client in Client.objects.filter(is_training=False):
        assert client.goals.exists()
        assert client.sessions.count() >= 4
    assert Client.objects.filter(user__isnull=False).exists()
    statuses = set(ActionPlan.objects.values_list("status", flat=True))
    assert {"active", "reviewed", "draft", "proposed"} <= statuses
    assert ActionPlan.objects.values("kind").distinct().count() >= 6
    assert ActionPlan.objects.values("approach").distinct().count() >= 4
    assert Review.objects.filter(decision="modify", plan__successors__isnull=False).exists()
    assert PracticeLog.objects.values("worksheet").distinct().count() >= 4
    assert PracticeLog.objects.filter(is_private=True).exists()
    assert CheckIn.objects.count() >= 28
    prompt_states = set(Prompt.objects.values_list("state", flat=True))
    assert {"answered", "expired", "scheduled"} <= prompt_states
    assert Schedule.objects.filter(purpose="check-in").exists()
    before_sessions = Schedule.objects.filter(purpose="measure", kind="before-session")
    in_care = Client.objects.filter(user__isnull=False, discharged_at=None)  # not past clients
    assert before_sessions.count() == in_care.count()
    assert Prompt.objects.filter(purpose="measure", state="scheduled").exists()
    # A current client's practice reminder answered was answered by the practice logged from
    # it (demo/prompts.py), as practice.actions.link_to_prompt records it.
    answered = Prompt.objects.filter(client__in=in_care, purpose="practice", state="answered")
    assert answered.exists()
    assert not answered.filter(practice_logs=None).exists()
    # Past its time a reminder left unanswered has expired, opened or not, as the worker
    # leaves it; none waits for an answer it can no longer get.
    past = Prompt.objects.filter(client__in=in_care, expires_at__lte=timezone.now())
    assert not past.filter(state__in=WAITING_FOR_ANSWER).exists()
    assert past.filter(state="expired", opened_at__isnull=False).exists()
    browser = DjangoTestClient()  # the README's demo client has questionnaires due
    browser.force_login(User.objects.get(email="jordan@demo.bridgework.test"))
    today = browser.get("/me/").content.decode()
    assert "Before your next session" in today
    assert 'href="/me/measures/phq-9/"' in today
    slugs = set(Response.objects.values_list("instrument__slug", flat=True))
    assert slugs == {"phq-9", "gad-7", "action-plan-review"}  # reviews are responses too


@pytest.mark.django_db
def test_helen_has_rated_priyas_and_toms_sessions_and_priya_has_practised_twice() -> None:
    call_command("seed_demo", stdout=StringIO())
    helen = User.objects.get(email="helen@demo.bridgework.test")
    priya = User.objects.get(email="priya@demo.bridgework.test")
    submitted = CompetenceRating.objects.filter(rater=helen, state="submitted")
    rated = set(submitted.values_list("therapist__email", flat=True))
    assert rated == {"priya@demo.bridgework.test", "tom@demo.bridgework.test"}
    months = {r.session.starts_at.strftime("%Y-%m") for r in submitted.select_related("session")}
    assert len(months) >= 2
    assert CompetenceRating.objects.filter(rater=helen, state="draft").exists()
    double = CompetenceRating.objects.filter(
        rater__email="noor@demo.bridgework.test",
        state="submitted",
        session__competence_ratings__rater=helen,
        session__competence_ratings__state="submitted",
    )
    assert double.count() >= 4
    assert CompetenceRating.objects.filter(rater=priya, therapist=priya).exists()
    practised = Assignment.objects.filter(trainee=priya, assigned_by=helen)
    assert practised.count() == 2
    assert max(a.attempts.count() for a in practised) == 2
    attempts = RolePlay.objects.filter(assignment__trainee=priya).order_by("number")
    totals = [
        CompetenceRating.objects.get(session=a.session, rater=helen).scores["total"]["value"]
        for a in attempts
    ]
    assert totals[1] > totals[0]  # the second attempt went better
    kinds = set(Flag.objects.values_list("kind", flat=True))
    assert kinds == {"risk", "deterioration", "non-engagement", "silence"}
    # The experiment carries its belief from the plan onto every worksheet (issue 11).
    experiment = ActionPlan.objects.get(
        kind="behavioural-experiment", status="reviewed", client__user__isnull=False
    )
    assert experiment.details["belief_strength"] == 85
    entries = [log.entries for log in experiment.practice_logs.exclude(worksheet="quick")]
    assert entries
    assert {e["belief"] for e in entries} == {experiment.details["belief"]}
    assert {e["alternative_view"] for e in entries} == {experiment.details["alternative_view"]}
    assert list(verify()) == []


@pytest.mark.django_db
def test_seeding_again_puts_the_demo_back_as_new() -> None:
    with mock.patch("django.utils.timezone.now", return_value=early_today()):
        call_command("seed_demo", stdout=StringIO())
        fresh = counts()
        try_the_demo()
        assert counts() != fresh
        call_command("seed_demo", stdout=StringIO())
    assert counts() == fresh
    assert not Client.objects.filter(full_name="Trying Out").exists()
    assert not Flag.objects.filter(acknowledged_at__isnull=False).exists()
    assert Flag.objects.get(kind="risk").client.full_name == "Farid Haddad"
    assert list(verify()) == []
    call_command("verify_audit", stdout=StringIO())  # raises when a chain is broken


@pytest.mark.django_db
def test_it_refuses_a_database_with_a_real_clinic() -> None:
    make_clinic("A real clinic")
    with pytest.raises(CommandError, match="non-demo"):
        call_command("seed_demo", stdout=StringIO())
    assert not Client.objects.exists()
