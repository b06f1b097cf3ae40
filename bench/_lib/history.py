"""A client's history as a therapist and client make it, week by week, through the actions
(so every row is the one the app would write, audit rows included), and the settling a fresh
load needs before anything is timed. Shared by the benchmarks that compare short histories
with long ones (client_page.py, api.py)."""

from __future__ import annotations

import gc
import uuid
from datetime import timedelta


def history(client, weeks: int) -> None:  # type: ignore[no-untyped-def]
    """Weekly: a session, PHQ-9 and GAD-7, a plan agreed, three practice logs, a review."""
    from django.utils import timezone

    from bridgework.care import actions as care
    from bridgework.measures import actions as measures
    from bridgework.plans import actions as plans
    from bridgework.plans.models import PlanTemplate
    from bridgework.practice import actions as practice
    from bridgework.practice import worksheets

    therapist = client.care_team.get()
    phq9, gad7 = measures.current("phq-9", None), measures.current("gad-7", None)
    template = PlanTemplate.objects.get(slug="exposure-step-up-the-ladder", clinic=None)
    start = timezone.now() - timedelta(weeks=weeks)
    for week in range(weeks):
        when = start + timedelta(weeks=week)
        session = care.add_session(
            client,
            therapist=therapist,
            by=therapist,
            starts_at=when,
            takeaway="Staying lets the fear come down.",
        )
        for instrument, count in ((phq9, 9), (gad7, 7)):
            # A slow, realistic improvement (2 → 0 on every item over the two years).
            measures.respond(
                client,
                instrument,
                {str(n): 2 - week // 40 for n in range(1, count + 1)},
                by=therapist,
                session=session,
                completed_at=when,
            )
        plan = plans.agree(plans.start_plan(client, by=therapist, template=template), by=therapist)
        for n in range(3):
            practice.log_practice(
                client,
                by=client.user,
                uid=uuid.uuid4(),
                plan=plan,
                outcome="done",
                sheet=worksheets.current("exposure-log"),
                entries={
                    "situation": "Bus",
                    "distress_before": 70 - week % 40,
                    "distress_after": 30,
                },
                practiced_at=when + timedelta(days=n + 1),
            )
        plans.review(plan, by=therapist, session=None, answers={"done": 3, "decision": "stop"})


def goals_consent_and_check_ins(client, weeks: int) -> None:  # type: ignore[no-untyped-def]
    """What a client's record holds beside `history`: two goals (one achieved), consent to
    research, and a weekly check-in on a distress scale of the client's."""
    from django.utils import timezone

    from bridgework.care import actions as care
    from bridgework.practice import actions as practice

    therapist = client.care_team.get()
    bus = care.add_goal(client, text="Take the bus to work again", by=therapist)
    care.add_goal(client, text="Sleep through the night", by=therapist)
    care.mark_goal_achieved(bus, True, by=therapist)
    care.set_consent(client, "research", True, by=client.user)
    scale = practice.add_scale(
        client, by=therapist, name="distress", low_anchor="calm", high_anchor="panic"
    )
    start = timezone.now() - timedelta(weeks=weeks)
    for week in range(weeks):
        practice.check_in(
            client,
            by=client.user,
            uid=uuid.uuid4(),
            ratings={scale.pk: 10 * (week % 10)},
            answered_at=start + timedelta(weeks=week, days=2),
        )


def settle() -> None:
    """After the bulk load, before timing: fresh planner statistics (as autovacuum would
    gather them), and what the setup made kept out of the collector's rounds."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    # As bridgework/wsgi.py does once the app is loaded: what lives on (here also everything
    # the setup made, which a server's worker never holds) stays out of the collector's
    # rounds, so a full collection during a render walks what renders made, as in a worker.
    gc.collect()
    gc.freeze()
