from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client as DjangoTestClient

from bridgework.accounts.models import Clinic, User
from bridgework.audit.trail import verify
from bridgework.care.models import Client, Consent, Goal, TherapySession
from bridgework.measures.models import Flag, Response
from bridgework.plans.models import ActionPlan, Review
from bridgework.practice.models import CheckIn, PracticeLog
from bridgework.prompts.models import Prompt, Schedule
from bridgework.test import make_clinic


def counts() -> tuple[int, ...]:
    models = (
        Clinic,
        User,
        Client,
        Goal,
        TherapySession,
        Consent,
        ActionPlan,
        Review,
        PracticeLog,
        CheckIn,
        Schedule,
        Prompt,
        Response,
        Flag,
    )
    return tuple(model.objects.count() for model in models)


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
    assert Client.objects.filter(clinic=clinic).count() >= 12
    for client in Client.objects.all():
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
    assert before_sessions.count() == Client.objects.filter(user__isnull=False).count()
    assert Prompt.objects.filter(purpose="measure", state="scheduled").exists()
    browser = DjangoTestClient()  # the README's demo client has questionnaires due
    browser.force_login(User.objects.get(email="jordan@demo.bridgework.test"))
    today = browser.get("/me/").content.decode()
    assert "Before your next session" in today
    assert 'href="/me/measures/phq-9/"' in today
    slugs = set(Response.objects.values_list("instrument__slug", flat=True))
    assert slugs == {"phq-9", "gad-7", "action-plan-review"}  # reviews are responses too
    kinds = set(Flag.objects.values_list("kind", flat=True))
    assert kinds == {"risk", "deterioration", "non-engagement", "silence"}
    assert list(verify()) == []


@pytest.mark.django_db
def test_running_it_twice_changes_nothing() -> None:
    call_command("seed_demo", stdout=StringIO())
    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before


@pytest.mark.django_db
def test_it_refuses_a_database_with_a_real_clinic() -> None:
    make_clinic("A real clinic")
    with pytest.raises(CommandError, match="non-demo"):
        call_command("seed_demo", stdout=StringIO())
    assert not Client.objects.exists()
