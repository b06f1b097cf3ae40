"""Load the demo clinic. Run again, it puts the demo clinic back as new: the old one goes, with
everything made while trying it (bridgework.demo.reset), and a fresh one is loaded."""

from __future__ import annotations

import random
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import Approach, Clinic, Supervision, User
from bridgework.care import actions as care
from bridgework.care.models import Client, Consent
from bridgework.demo import measures as demo_measures
from bridgework.demo import plans as demo_plans
from bridgework.demo import practice as demo_practice
from bridgework.demo import prompts as demo_prompts
from bridgework.demo import research as demo_research
from bridgework.demo import supervision as demo_supervision
from bridgework.demo.reset import forget_demo_clinics
from bridgework.measures.actions import check_silence

DEMO_PASSWORD = "practice-makes-progress"
DEMO_DOMAIN = "demo.bridgework.test"
CLINIC_NAME = "Riverside Psychological Therapies (demo)"

STAFF = [
    # e-mail name, full name, roles, approach
    ("admin", "Alex Morgan", ["clinic_admin"], ""),
    ("priya", "Dr Priya Shah", ["therapist"], Approach.CBT),
    ("tom", "Tom Okafor", ["therapist"], Approach.PSYCHODYNAMIC),
    ("maria", "Maria Lindqvist", ["therapist"], Approach.HUMANISTIC),
    ("helen", "Dr Helen Price", ["supervisor", "therapist"], Approach.INTEGRATIVE),
    ("sam", "Sam Reed", ["researcher"], ""),
    ("noor", "Dr Noor Aziz", ["supervisor"], ""),  # the second rater of some of Helen's sessions
]
SUPERVISIONS = [("helen", "priya"), ("helen", "tom"), ("noor", "priya"), ("noor", "tom")]

# Client, therapist, goals in the client's words, whether they have signed up (e-mail name).
CLIENTS: list[tuple[str, str, list[str], str]] = [
    (
        "Jordan Ellis",
        "priya",
        ["Take the bus to work without getting off early", "Go to my sister's birthday dinner"],
        "jordan",
    ),
    (
        "Aisha Karimi",
        "priya",
        ["Get back to running twice a week", "Stop lying awake going over the day"],
        "aisha",
    ),
    ("Ben Whitaker", "priya", ["Speak up once in every team meeting"], ""),
    (
        "Chloe Martin",
        "priya",
        [
            "Cook a proper meal for myself three times a week",
            "Call a friend when I feel low instead of staying in bed",
        ],
        "chloe",
    ),
    ("Daniel Novak", "tom", ["Understand why I keep ending up in the same arguments"], "daniel"),
    (
        "Eleanor Briggs",
        "tom",
        ["Feel less on edge with my manager", "Say no without feeling guilty for days"],
        "eleanor",
    ),
    ("Farid Haddad", "tom", ["Grieve my father without shutting everyone out"], ""),
    ("Grace O'Neill", "tom", ["Stop checking the door locks again and again"], "grace"),
    ("Hannah Schultz", "maria", ["Be kinder to myself after a bad day"], "hannah"),
    ("Isaac Mensah", "maria", ["Notice what I feel before I snap at the kids"], "isaac"),
    (
        "Julia Romano",
        "maria",
        ["Make decisions without asking everyone first", "Enjoy weekends again"],
        "",
    ),
    ("Kai Tanaka", "helen", ["Sleep through the night most nights"], "kai"),
]

TAKEAWAYS = {
    Approach.CBT: [
        "Avoiding the bus keeps the fear going; staying on lets it come down.",
        "My prediction was that I'd panic and faint. I panicked but didn't faint.",
        "Doing things first and waiting for motivation later actually works for me.",
        "Thoughts are guesses, not facts.",
        "Small steps count. I don't have to do it all at once.",
    ],
    Approach.PSYCHODYNAMIC: [
        "I go quiet when I'm angry, the way I did at home.",
        "Maybe the guilt is older than this job.",
        "I noticed I wanted to cancel today, and we talked about that.",
        "The arguments seem to start when I feel left out.",
    ],
    Approach.HUMANISTIC: [
        "I can be on my own side.",
        "The tightness in my chest is telling me something, not attacking me.",
        "I'm allowed to want things.",
        "When I slow down I can tell what I feel.",
    ],
    Approach.INTEGRATIVE: [
        "A wind-down hour helps more than lying there trying to sleep.",
        "Worry time in the evening, not at 3 am.",
    ],
}


# Jordan (the README's demo client) sees tomorrow's session: the questionnaires due before it.
LAST_SESSION_DAYS_AGO = {"Jordan Ellis": 6}


class Command(BaseCommand):
    help = (
        "Load the demo clinic (staff, clients, goals, sessions, plans, practice, reminders, "
        "measures, a year of past clients and a study of them). Running it again puts the "
        "demo clinic back as new."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if Clinic.objects.filter(is_demo=False).exists():
            raise CommandError(
                "This database holds a real (non-demo) clinic. seed_demo only runs on a database "
                "that holds demo data or nothing, so it can never mix demo people into real care."
            )
        with transaction.atomic():
            forget_demo_clinics()
            clinic = self.add_clinic()
            staff = self.add_staff(clinic)
            self.add_clients(clinic, staff)
            demo_supervision.seed(staff)
            demo_research.seed(clinic, staff)
            check_silence()
        self.stdout.write(
            f"Demo clinic ready: sign in with any demo account, password {DEMO_PASSWORD}"
        )

    def add_clinic(self) -> Clinic:
        # Demo staff sign in without a second factor so the demo needs no phone; a real clinic
        # starts with the second factor required.
        return accounts.create_clinic(
            name=CLINIC_NAME,
            time_zone="Europe/London",
            is_demo=True,
            staff_mfa_required=False,
            duty_contact_email=f"duty@{DEMO_DOMAIN}",  # its risk e-mails print in the console
        )

    def add_staff(self, clinic: Clinic) -> dict[str, User]:
        staff = {
            handle: accounts.create_staff(
                clinic=clinic,
                email=f"{handle}@{DEMO_DOMAIN}",
                full_name=full_name,
                password=DEMO_PASSWORD,
                roles=roles,
                approach=approach,
                by=None,
            )
            for handle, full_name, roles, approach in STAFF
        }
        for supervisor, supervisee in SUPERVISIONS:
            Supervision.objects.create(supervisor=staff[supervisor], supervisee=staff[supervisee])
        return staff

    def add_clients(self, clinic: Clinic, staff: dict[str, User]) -> None:
        admin = staff["admin"]
        for index, (name, therapist_handle, goals, handle) in enumerate(CLIENTS):
            therapist = staff[therapist_handle]
            client = care.add_client(clinic=clinic, full_name=name, care_team=[therapist], by=admin)
            for text in goals:
                care.add_goal(client, text=text, by=therapist)
            self.add_sessions(client, therapist, random.Random(index))  # noqa: S311
            if handle:
                self.add_account(client, handle, admin)
            demo_plans.seed(client)
            demo_practice.seed_client(client)
            demo_prompts.seed(client)
            demo_measures.seed(client, number=index + 1)

    def add_sessions(self, client: Client, therapist: User, rng: random.Random) -> None:
        """Weekly sessions at a fixed local time, the last one in the past week, the next booked."""
        tz = ZoneInfo(client.local_time_zone)
        past = rng.randint(3, 9)
        today = timezone.localdate(timezone=tz)
        days_ago = rng.randint(1, 6)  # drawn for everyone, so the other clients' data stay put
        last_day = today - timedelta(days=LAST_SESSION_DAYS_AGO.get(client.full_name, days_ago))
        at = time(rng.choice([9, 10, 11, 14, 15, 16]), 0)
        takeaways = TAKEAWAYS[Approach(therapist.approach)]
        for weeks_ago in range(past - 1, -1, -1):
            starts_at = datetime.combine(last_day - timedelta(weeks=weeks_ago), at, tzinfo=tz)
            care.add_session(
                client,
                therapist=therapist,
                starts_at=starts_at,
                by=therapist,
                takeaway=rng.choice(takeaways),
            )
        next_day = last_day + timedelta(weeks=1)
        care.add_session(
            client,
            therapist=therapist,
            by=therapist,
            starts_at=datetime.combine(next_day, at, tzinfo=tz),
        )

    def add_account(self, client: Client, handle: str, admin: User) -> None:
        invitation, _token = accounts.invite(
            clinic=client.clinic,
            email=f"{handle}@{DEMO_DOMAIN}",
            kind=User.Kind.CLIENT,
            by=admin,
            client=client,
            send=False,
        )
        user = accounts.accept_invitation(invitation, password=DEMO_PASSWORD)
        care.set_consent(client, Consent.Purpose.REMINDERS_EMAIL, True, by=user)
        care.set_consent(client, Consent.Purpose.RESEARCH, True, by=user)
