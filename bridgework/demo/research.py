"""The demo's research: a year of past clients and the study that takes them.

Beside the twelve clients in therapy now, the demo clinic treated and discharged a cohort over
the last twelve months (drawn in bridgework.demo.cohort, with its planted engagement →
next-session symptoms relation): weekly sessions, a plan agreed in each with its reminders, the
reminders' prompts sent, opened, answered by practice or left to expire
(bridgework.demo.cohort_reminders), each plan reviewed at the next session
(bridgework.demo.cohort_plans), PHQ-9 and GAD-7 before every session
(bridgework.demo.cohort_measures), research consent given. The study is "Engagement and outcome
in action plans": the last twelve months, the demo clinic, every table, no free text, dates
shifted; the researcher Sam has access.

The cohort is written in bulk, not through the actions, on purpose: it is history, not data
entry. The actions would write some 15,000 audit rows (a minute or more of seeding), and their
side effects are wrong for people discharged months ago: agreeing a plan plans its reminders
from today (schedules the worker would start sending), answers raise deterioration and risk
flags for care teams to act on today. What is written is what those actions would have left
behind, dated when it happened. Clients, goals and consents, the few things the demo's pages
and the export's consent filter key on, still go through the actions.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from bridgework.accounts.models import Clinic, User
from bridgework.care import actions as care
from bridgework.care.models import Client, Consent, TherapySession
from bridgework.demo.cohort import Course, courses
from bridgework.demo.cohort_measures import add_questionnaires
from bridgework.demo.cohort_plans import add_plans
from bridgework.research import actions as studies
from bridgework.research.export.tables import TABLES
from bridgework.research.models import Study

STUDY_NAME = "Engagement and outcome in action plans"
STUDY_PURPOSE = (
    "Does engaging with action plans go with fewer symptoms at the next session, and does it "
    "matter more whether a client engages more than they usually do (within-client) or whether "
    "clients who engage more do better (between-client)? Pseudonymised records of consenting "
    "clients: plans, practice, reviews and PHQ-9/GAD-7 over twelve months."
)

TAKEAWAY = "We looked at how the week went and chose the next step together."


def seed(clinic: Clinic, staff: dict[str, User]) -> Study:
    """The cohort, and the study with Sam's access."""
    zone = ZoneInfo(clinic.time_zone)
    for n, planned in enumerate(courses(timezone.localdate(timezone=zone), zone)):
        add_course(clinic, staff, planned, n)
    return add_study(clinic, staff)


def add_course(clinic: Clinic, staff: dict[str, User], planned: Course, n: int) -> None:
    therapist, admin = staff[planned.therapist], staff["admin"]
    client = care.add_client(clinic=clinic, full_name=planned.name, care_team=[therapist], by=admin)
    goal = care.add_goal(client, text="Feel more like myself again", by=therapist)
    user = former_account(client, n)
    care.set_consent(client, Consent.Purpose.RESEARCH, True, by=user)
    began = planned.weeks[0].starts_at
    Consent.objects.filter(client=client).update(given_at=began + timedelta(hours=2))
    Client.objects.filter(pk=client.pk).update(
        user=user, created_at=began - timedelta(days=10), discharged_at=planned.discharged_at
    )
    sessions = TherapySession.objects.bulk_create(
        TherapySession(
            client=client,
            therapist=therapist,
            number=number,
            starts_at=week.starts_at,
            takeaway=TAKEAWAY,
            created_at=week.starts_at,
        )
        for number, week in enumerate(planned.weeks, 1)
    )
    add_questionnaires(client, therapist, planned.weeks, sessions)
    add_plans(client, therapist, user, goal, planned, sessions)


def former_account(client: Client, n: int) -> User:
    """The account the client practised with, closed at discharge: no password, inactive."""
    user = User(
        email=f"past-client-{n + 1:02d}@demo.bridgework.test",
        full_name=client.full_name,
        clinic=client.clinic,
        kind=User.Kind.CLIENT,
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    return user


def add_study(clinic: Clinic, staff: dict[str, User]) -> Study:
    """The demo study over the last twelve months, every table, and Sam's access to it."""
    today = timezone.localdate(timezone=ZoneInfo(clinic.time_zone))
    admin = staff["admin"]
    study = studies.create_study(
        by=admin,
        name=STUDY_NAME,
        purpose=STUDY_PURPOSE,
        starts_on=today - timedelta(days=365),
        ends_on=today,
        tables=list(TABLES),
        include_free_text=False,
        shift_dates=True,
        clinics=[clinic],
    )
    studies.grant_access(study, staff["sam"], by=admin)
    return study
