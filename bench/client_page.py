"""Benchmark: rendering the therapist's client page for a client with one month of history and
for one with two years, on PostgreSQL. Prints median and p95 render times and their ratio.

    make bench                                  # BENCH_RENDERS (default 30) renders each
    .venv/bin/python -m bench.client_page --renders 60

PostgreSQL: its own database, bridgework_bench_client_page (BENCH_PG_URL, see bench/_lib);
when PostgreSQL cannot be reached it runs on a temporary SQLite file instead, and says so.
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

# Run as a file (python bench/client_page.py, as make bench does) or as a module (python -m
# bench.client_page): either way the repository root is where `bench` is imported from.
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._lib import SECRET, fresh_postgres, migrate, number

ENV = {
    "DEBUG": "0",
    "STATIC_MANIFEST": "0",
    "ALLOWED_HOSTS": "testserver",
    "SECRET_KEY": SECRET,
    "LOG_LEVEL": "WARNING",
}


def fresh_database(var_dir: str) -> str:
    """The database's name for the report; DATABASE_URL is set for this process."""
    url = fresh_postgres("client_page")
    name = "PostgreSQL"
    if url is None:
        url, name = f"sqlite:///{var_dir}/bench.sqlite3", "SQLite (PostgreSQL not reachable)"
    ENV.update(DATABASE_URL=url, VAR_DIR=var_dir)
    migrate({**os.environ, **ENV})
    return name


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


def timings(clients, renders: int) -> list[list[float]]:  # type: ignore[no-untyped-def]
    """Render times per client, taken in turn (one, the other, one…) so that the machine's
    background noise falls on both alike."""
    from django.test import Client as Browser

    browsers = []
    for client in clients:
        browser = Browser()
        browser.force_login(client.care_team.get())
        browser.get(f"/clients/{client.pk}/")  # warm-up
        browsers.append((browser, f"/clients/{client.pk}/"))
    took: list[list[float]] = [[] for _ in clients]
    for _ in range(renders):
        for n, (browser, url) in enumerate(browsers):
            started = time.perf_counter()
            response = browser.get(url)
            took[n].append(time.perf_counter() - started)
            assert response.status_code == 200
    return took


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--renders", type=int, default=int(number("BENCH_RENDERS", 30)))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as var_dir:
        database = fresh_database(var_dir)
        os.environ.update(ENV)
        run(database, args.renders)


def run(database: str, renders: int) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
    import django

    django.setup()
    from bridgework.test import make_client, make_clinic, make_staff

    clinic = make_clinic("Bench clinic")
    therapist = make_staff(clinic, "bench_therapist", "therapist")
    month, years = (make_client(clinic, name, therapist) for name in ("one_month", "two_years"))
    history(month, 4)
    history(years, 104)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE"
        )  # fresh planner statistics after the bulk load, as autovacuum would
    # As bridgework/wsgi.py does once the app is loaded: what lives on (here also everything
    # the setup made, which a server's worker never holds) stays out of the collector's
    # rounds, so a full collection during a render walks what renders made, as in a worker.
    gc.collect()
    gc.freeze()
    short, long = timings([month, years], renders)
    print("## The therapist's client page (bench/client_page.py)")
    print(f"{database}, in-process Django test client, {renders} renders each.\n")
    print("| history | median ms | p95 ms |")
    print("|---|---|---|")
    for label, values in (("one month", short), ("two years", long)):
        print(f"| {label} | {statistics.median(values) * 1000:.1f} | {p95(values) * 1000:.1f} |")
    ratio = statistics.median(long) / statistics.median(short)
    print(f"\nRatio two years ÷ one month (medians): **{ratio:.2f}**")


if __name__ == "__main__":
    main()
