"""A clinic for CI's schemathesis run: a therapist with a client, a goal, a session and an
agreed plan, and a token of the therapist's reaching every area; prints the token's secret.
Refuses a database that holds any clinic, so it never adds a known token to real data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import Clinic
from bridgework.care import actions as care
from bridgework.interop import actions
from bridgework.interop.models import Area
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate


class Command(BaseCommand):
    help = "Seed an empty database for the API's schemathesis run; print a token's secret."

    def handle(self, *args: Any, **options: Any) -> None:
        if Clinic.objects.exists():
            raise CommandError("This database holds clinics: seed_api_check wants an empty one.")
        clinic = accounts.create_clinic(
            name="API check", time_zone="Europe/London", staff_mfa_required=False
        )
        therapist = accounts.create_staff(
            clinic=clinic,
            email="therapist@example.org",
            full_name="Therapist",
            password="an-unused-password-42",  # never signed in with
            roles=["therapist"],
            approach="cbt",
            by=None,
        )
        client = care.add_client(clinic=clinic, full_name="Client", care_team=[therapist], by=None)
        care.add_goal(client, text="Sleep better", by=therapist)
        care.add_session(client, therapist=therapist, starts_at=timezone.now(), by=therapist)
        plan = plans.start_plan(client, by=therapist, template=PlanTemplate.objects.first())
        plans.agree(plan, by=therapist)
        _token, secret = actions.create_token(
            therapist,
            name="schemathesis",
            can_write=True,
            areas=list(Area.values),
            expires_on=timezone.localdate() + timedelta(days=1),
        )
        self.stdout.write(secret)
