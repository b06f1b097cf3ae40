"""Benchmark: planning and dispatching a backlog of due prompts on PostgreSQL.

Plans the prompts for BENCH_SCHEDULES schedules (default 250: 24,000 prompts; the figures in
docs/performance.md used 1,050: 100,800) (12 random moments a day over the planning horizon, a
no-op in-app channel), makes them all due, then lets 1 and then 2 worker processes dispatch the
backlog. Reports prompts per second, duplicates (prompts delivered more than once: must be 0)
and each worker's peak resident memory, at a quarter of the backlog and at all of it (memory
must stay flat as the backlog grows).

    make bench
    .venv/bin/python -m bench.prompts --schedules 1050

Needs PostgreSQL (two workers claim with SKIP LOCKED): its own database,
bridgework_bench_prompts (BENCH_PG_URL, see bench/_lib); skipped, saying so, when PostgreSQL
cannot be reached. Traffic goes to 127.0.0.1 only; every loop ends when the backlog is empty.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

# Run as a file (python bench/prompts.py, as make bench does) or as a module (python -m
# bench.prompts): either way the repository root is where `bench` is imported from.
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._lib import PYTHON, ROOT, SECRET, fresh_postgres, migrate, number

# The parent creates the database and hands its address to its children.
DATABASE = os.environ.get("BENCH_PROMPTS_DATABASE_URL", "")


def environment() -> dict[str, str]:
    return {
        **os.environ,
        "BENCH_PROMPTS_DATABASE_URL": DATABASE,
        "DATABASE_URL": DATABASE,
        "SECRET_KEY": SECRET,
        "DEBUG": "0",
        "STATIC_MANIFEST": "0",
        "LOG_LEVEL": "WARNING",
        "PROMPT_HORIZON_DAYS": "7",
    }


def django_setup() -> None:
    import django

    os.environ.update(environment())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
    django.setup()


def setup(schedules: int) -> None:
    """In a child process: the cast and the schedules; then plan every prompt (timed)."""
    django_setup()
    from bridgework.plans import actions as plans
    from bridgework.plans.models import PlanTemplate
    from bridgework.prompts.schedules import plan_all
    from bridgework.test import make_client, make_clinic, make_staff

    clinic = make_clinic("Bench clinic")
    therapist = make_staff(clinic, "bench_therapist", "therapist")
    template = PlanTemplate.objects.get(slug="slow-breathing", clinic=None)
    rule = {
        "kind": "random",
        "samples": 12,
        "min_spacing": 30,
        "window_start": "07:00",
        "window_end": "22:00",
    }
    from bridgework.prompts.models import Prompt, Schedule

    for n in range(schedules // 10):
        client = make_client(clinic, f"bench_client_{n}", therapist)
        plan = plans.agree(plans.start_plan(client, by=therapist, template=template), by=therapist)
        for _ in range(10):
            Schedule.objects.create(
                client=client,
                plan=plan,
                purpose="practice",
                kind="random",
                rule=rule,
                channels=["in-app"],
                created_by=therapist,
            )
    started = time.perf_counter()
    planned = plan_all()
    took = time.perf_counter() - started
    print(json.dumps({"planned": planned, "seconds": took, "prompts": Prompt.objects.count()}))


def make_due(limit: int | None) -> int:
    """All (or the first `limit`) prompts due now, nothing delivered yet."""
    import psycopg

    with psycopg.connect(DATABASE, autocommit=True) as db:
        db.execute("DELETE FROM prompts_promptevent WHERE state <> 'scheduled'")
        db.execute(
            "UPDATE prompts_prompt SET state = 'cancelled', claimed_by = '', lease_until = NULL"
        )
        keep = (
            ""
            if limit is None
            else f"WHERE id IN (SELECT id FROM prompts_prompt ORDER BY id LIMIT {int(limit)})"
        )
        db.execute(
            "UPDATE prompts_prompt SET state = 'scheduled', next_attempt_at = now() - "
            f"interval '1 second', expires_at = now() + interval '1 day' {keep}"
        )
        return int(
            db.execute("SELECT count(*) FROM prompts_prompt WHERE state = 'scheduled'").fetchone()[
                0
            ]
        )


def work() -> None:
    """In a child process: one worker, until the backlog is empty; prints its peak memory."""
    django_setup()
    import resource

    from bridgework.prompts.worker import Worker

    worker = Worker(batch=500)
    sent = 0
    while claimed := worker.step():
        sent += claimed
    print(
        json.dumps(
            {
                "claimed": sent,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            }
        )
    )


def dispatch(workers: int) -> dict[str, float]:
    started = time.perf_counter()
    children = [
        subprocess.Popen(
            [PYTHON, "-m", "bench.prompts", "--work"],
            cwd=ROOT,
            env=environment(),
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(workers)
    ]
    reports = [json.loads(child.communicate()[0].strip().splitlines()[-1]) for child in children]
    took = time.perf_counter() - started
    import psycopg

    with psycopg.connect(DATABASE) as db:
        delivered, distinct = db.execute(
            "SELECT count(*), count(DISTINCT prompt_id) FROM prompts_promptevent "
            "WHERE state = 'delivered'"
        ).fetchone()
        left = db.execute(
            "SELECT count(*) FROM prompts_prompt WHERE state IN ('scheduled', 'sending')"
        ).fetchone()[0]
    return {
        "seconds": took,
        "delivered": delivered,
        "duplicates": delivered - distinct,
        "left": left,
        "peak_rss_mb": max(r["peak_rss_mb"] for r in reports),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    # 96 prompts each (12 a day over 8 days): 250 make 24,000, 1,050 make 100,800.
    parser.add_argument("--schedules", type=int, default=int(number("BENCH_SCHEDULES", 250)))
    parser.add_argument("--setup", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--work", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.setup:
        setup(args.setup)
        return
    if args.work:
        work()
        return
    print("## Reminders: planning and dispatching prompts (bench/prompts.py)")
    global DATABASE
    DATABASE = fresh_postgres("prompts") or ""
    if not DATABASE:
        print("Skipped: it needs PostgreSQL (start it, or set BENCH_PG_URL).")
        return
    migrate(environment())
    report = subprocess.run(
        [PYTHON, "-m", "bench.prompts", "--setup", str(args.schedules)],
        cwd=ROOT,
        env=environment(),
        check=True,
        capture_output=True,
        text=True,
    )
    planning = json.loads(report.stdout.strip().splitlines()[-1])
    print(f"PostgreSQL, in-app (no-op) channel, worker batches of 500, {os.cpu_count()} cores.\n")
    print(
        f"Planned {planning['planned']:,} prompts for {args.schedules:,} schedules in "
        f"{planning['seconds']:.1f} s ({planning['planned'] / planning['seconds']:,.0f}/s).\n"
    )
    print("| backlog | workers | seconds | prompts/s | duplicates | left | peak worker RSS MB |")
    print("|---|---|---|---|---|---|---|")
    total = planning["prompts"]
    for backlog in (total // 4, None):
        for workers in (1, 2):
            due = make_due(backlog)
            result = dispatch(workers)
            print(
                f"| {due:,} | {workers} | {result['seconds']:.1f} | "
                f"{result['delivered'] / result['seconds']:,.0f} | {result['duplicates']} | "
                f"{result['left']} | {result['peak_rss_mb']:.0f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
