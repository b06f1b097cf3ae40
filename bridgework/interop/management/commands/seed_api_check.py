"""A clinic for CI's schemathesis run: a therapist with a client, a goal, a session and an
agreed plan, and a token of the therapist's reaching every area; prints the token's secret.
With --admin-secret-file, also the clinic admin's token for the FHIR import (area records,
read and change), its secret written to that file (the one route a therapist may not use).
Refuses a database that holds any clinic, so it never adds a known token to real data."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from bridgework.accounts import actions as accounts
from bridgework.accounts.models import Clinic, User
from bridgework.care import actions as care
from bridgework.care.models import Client
from bridgework.interop import actions
from bridgework.interop.models import Area
from bridgework.measures import actions as measures
from bridgework.measures.models import Flag
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.practice import actions as practice
from bridgework.practice import worksheets


def invited(clinic: Clinic, client: Client) -> User:
    invitation, _secret = accounts.invite(
        clinic=clinic,
        email="client@example.org",
        kind=User.Kind.CLIENT,
        by=None,
        client=client,
        send=False,
    )
    return accounts.accept_invitation(invitation, password="an-unused-password-43")  # never used


class Command(BaseCommand):
    help = "Seed an empty database for the API's schemathesis run; print a token's secret."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--admin-secret-file", type=Path, default=None)

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
        self.log_and_flag(client, plan)
        _token, secret = actions.create_token(
            therapist,
            name="schemathesis",
            can_write=True,
            areas=list(Area.values),
            expires_on=timezone.localdate() + timedelta(days=1),
        )
        self.stdout.write(secret)
        if options["admin_secret_file"] is not None:
            self.admin_token(clinic, options["admin_secret_file"])

    def admin_token(self, clinic: Clinic, path: Path) -> None:
        admin = accounts.create_staff(
            clinic=clinic,
            email="admin@example.org",
            full_name="Admin",
            password="an-unused-password-44",  # never signed in with
            roles=["clinic_admin"],
            by=None,
        )
        _token, secret = actions.create_token(
            admin,
            name="schemathesis import",
            can_write=True,
            areas=[Area.RECORDS],
            expires_on=timezone.localdate() + timedelta(days=1),
        )
        path.touch(mode=0o600)
        path.write_text(secret)

    def log_and_flag(self, client: Client, plan: ActionPlan) -> None:
        """A practice log and a flag: the ids scripts/api-check.toml names (1 each)."""
        practice.log_practice(
            client,
            by=invited(client.clinic, client),
            uid=uuid.uuid4(),
            plan=plan,
            outcome="done",
            sheet=worksheets.current(worksheets.QUICK),
            entries={"how_it_went": 60},
        )
        measures.raise_flag(client, Flag.Kind.RISK, "Item 9 answered above 0")
