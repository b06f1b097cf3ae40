"""Benchmark: a research export of practice logs and ratings (write_package) to Parquet and to
CSV at 100,000 and at 1,000,000 rows, on PostgreSQL, beside PostgreSQL's own `COPY … TO STDOUT`
of the same rows in the same run (the limit). Prints rows/s, the share of COPY's rate, and each
export worker's peak memory (a fresh process per export: its maximum resident set size).
Targets (issue 14): at least 30 % of COPY's rows/s; the same memory at both sizes.

    make bench                                     # BENCH_EXPORT_ROWS (default 1,000,000)
    .venv/bin/python -m bench.research_export --rows 200000

PostgreSQL only: its own database, bridgework_bench_research_export (BENCH_PG_URL, see
bench/_lib); when PostgreSQL cannot be reached it says so and stops (exit 0). The rows are made
by SQL (INSERT … SELECT generate_series), not through the actions, spread over a year and 200
consenting clients: of every 6 rows exported, 1 is a practice log (an exposure log), 2 are its
distress ratings before and after (the ratings table takes worksheets' 0–100 fields) and 3 are
check-in ratings (two scales a check-in).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta
from pathlib import Path
from typing import Any

# Run as a file (python bench/research_export.py, as make bench does) or as a module (python -m
# bench.research_export): either way the repository root is where `bench` is imported from.
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._lib import PYTHON, ROOT, SECRET, fresh_postgres, migrate, number

ENV = {
    "DEBUG": "0",
    "STATIC_MANIFEST": "0",
    "SECRET_KEY": SECRET,
    "LOG_LEVEL": "WARNING",
    "DB_CONN_MAX_AGE": "0",
}
CLIENTS = 200
TABLES = ["practice_logs", "ratings"]
# "+snapshot": the same export in one read-only transaction (one_snapshot), for comparison.
FORMATS = ["parquet", "csv", "parquet+snapshot", "csv+snapshot"]

# The same rows as the export's two tables, straight from the tables (ids, no pseudonyms, no
# date shifts): what PostgreSQL itself can hand a client per second.
COPY_LOG_RATINGS = """
COPY (SELECT l.id, l.client_id, e.key, e.value, l.practiced_at
      FROM practice_practicelog l JOIN care_client c ON c.id = l.client_id
      CROSS JOIN LATERAL jsonb_each(l.entries) e
      WHERE c.clinic_id = %(clinic)s AND e.key LIKE 'distress%%' ORDER BY l.id)
TO STDOUT (FORMAT csv, HEADER)
"""
COPY_LOGS = """
COPY (SELECT l.id, l.client_id, l.plan_id, l.prompt_id, l.outcome, l.worksheet,
             l.worksheet_version, l.practiced_at, l.received_at, l.duration_minutes, l.entries
      FROM practice_practicelog l JOIN care_client c ON c.id = l.client_id
      WHERE c.clinic_id = %(clinic)s ORDER BY l.id) TO STDOUT (FORMAT csv, HEADER)
"""
COPY_RATINGS = """
COPY (SELECT r.id, i.client_id, r.check_in_id, r.scale_id, s.name, r.value, i.answered_at,
             i.received_at
      FROM practice_rating r JOIN practice_checkin i ON i.id = r.check_in_id
      JOIN practice_checkinscale s ON s.id = r.scale_id
      JOIN care_client c ON c.id = i.client_id
      WHERE c.clinic_id = %(clinic)s ORDER BY r.id) TO STDOUT (FORMAT csv, HEADER)
"""


def setup(url: str) -> int:
    """The clinic, its consenting clients with two check-in scales each, and the study; returns
    the study's id."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
    import django

    django.setup()
    from bridgework.care import actions as care
    from bridgework.care.models import Consent
    from bridgework.practice.models import CheckInScale
    from bridgework.research.models import Study
    from bridgework.test import make_clinic, make_staff

    clinic = make_clinic("Bench clinic")
    therapist = make_staff(clinic, "bench_therapist", "therapist")
    for n in range(CLIENTS):
        client = care.add_client(
            clinic=clinic, full_name=f"Client {n}", care_team=[therapist], by=therapist
        )
        care.set_consent(client, Consent.Purpose.RESEARCH, True, by=therapist)
        CheckInScale.objects.bulk_create(
            CheckInScale(client=client, name=name, position=position)
            for position, name in enumerate(("Mood", "Worry"))
        )
    study = Study.objects.create(
        clinic=clinic,
        name="Bench study",
        purpose="Measuring exports.",
        starts_on=date.today() - timedelta(days=800),
        ends_on=date.today() + timedelta(days=1),
        tables=TABLES,
        created_by=therapist,
    )
    study.clinics.add(clinic)
    return study.pk


def grow(url: str, rows: int) -> None:
    """Up to `rows` exported rows in all: a sixth practice logs (two ratings each), a quarter
    check-ins (two ratings each, not exported themselves)."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as db:
        # The ids are right by construction: skip the foreign-key triggers (superuser only).
        db.execute("SET session_replication_role = replica")
        logs = db.execute("SELECT count(*) FROM practice_practicelog").fetchone()
        check_ins = db.execute("SELECT count(*) FROM practice_checkin").fetchone()
        assert logs is not None and check_ins is not None
        db.execute(
            """
            INSERT INTO practice_practicelog (uid, client_id, outcome, practiced_at,
                duration_minutes, worksheet, worksheet_version, entries, obstacles_note, note,
                is_private, received_at)
            SELECT lpad(to_hex(g), 32, '0')::uuid, ids[1 + g %% n],
                (ARRAY['done', 'partly', 'not-done', 'something-else'])[1 + g %% 4],
                now() - (g %% 365) * interval '1 day' - (g %% 1440) * interval '1 minute',
                5 + g %% 55, 'exposure-log', 1,
                jsonb_build_object('situation', 'Bus', 'distress_before', 30 + g %% 70,
                                   'distress_after', g %% 40),
                '', '', false,
                now() - (g %% 365) * interval '1 day'
            FROM generate_series(%(first)s::bigint, %(last)s::bigint) g,
                 (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM care_client) c
            """,
            {"first": logs[0] + 1, "last": rows // 6},
        )
        first = db.execute("SELECT coalesce(max(id), 0) FROM practice_checkin").fetchone()
        assert first is not None
        db.execute(
            """
            INSERT INTO practice_checkin (uid, client_id, answered_at, received_at)
            SELECT lpad(to_hex(g), 32, '0')::uuid, ids[1 + g %% n],
                now() - (g %% 365) * interval '1 day' - (g %% 720) * interval '1 minute',
                now() - (g %% 365) * interval '1 day'
            FROM generate_series(%(first)s::bigint, %(last)s::bigint) g,
                 (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM care_client) c
            """,
            {"first": check_ins[0] + 1, "last": (rows - 3 * (rows // 6)) // 2},
        )
        db.execute(
            """
            INSERT INTO practice_rating (check_in_id, scale_id, value)
            SELECT i.id, s.id, (i.id * 7 + s.position * 31) %% 101
            FROM practice_checkin i JOIN practice_checkinscale s ON s.client_id = i.client_id
            WHERE i.id > %(after)s
            """,
            {"after": first[0]},
        )
        db.execute("VACUUM ANALYZE")  # visibility map and statistics, as autovacuum would


def copy_rate(url: str, clinic: int) -> tuple[int, float]:
    """Rows and seconds of PostgreSQL's COPY TO STDOUT of the same rows, read by this client."""
    import psycopg

    rows, started = 0, time.perf_counter()
    with psycopg.connect(url) as db, db.cursor() as cursor:
        for statement in (COPY_LOGS, COPY_RATINGS, COPY_LOG_RATINGS):
            with cursor.copy(statement, {"clinic": clinic}) as copy:
                for block in copy:  # raw blocks of CSV: one line a row (no newline inside)
                    rows += bytes(block).count(b"\n")
            rows -= 1  # the header line
    return rows, time.perf_counter() - started


@contextmanager
def one_snapshot() -> Iterator[None]:
    """What the "+snapshot" rows try (a proposal for write_package, not what it does yet): all
    tables read in one read-only REPEATABLE READ transaction. Outside a transaction Django
    declares its server-side cursors WITH HOLD, which PostgreSQL computes in full before the
    first row; inside one, the planner aims at the first 10 % of rows (cursor_tuple_fraction)
    and picks nested loops that test the study's consent per row: 1.0 asks for the whole."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SET LOCAL cursor_tuple_fraction = 1.0")
            cursor.execute("SET LOCAL jit = off")
        yield


def worker(study_id: int, fmt: str, out_dir: str) -> None:
    """One export in this (fresh) process; prints rows, seconds and peak memory as JSON."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
    import django

    django.setup()
    from bridgework.research.export.package import write_package
    from bridgework.research.models import Study

    study = Study.objects.get(pk=study_id)
    fmt, _plus, snapshot = fmt.partition("+")
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with one_snapshot() if snapshot else nullcontext():
        result = write_package(study, fmt=fmt, out_dir=Path(out_dir), tables=TABLES)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    rows = sum(result.rows[table] for table in TABLES)
    print(json.dumps({"rows": rows, "seconds": seconds, "before_kib": before, "peak_kib": peak}))


def export(study_id: int, fmt: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as out_dir:
        done = subprocess.run(
            [PYTHON, "-m", "bench.research_export", "--worker", str(study_id), fmt, out_dir],
            cwd=ROOT,
            env={**os.environ, **ENV},
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"The {fmt} export failed:\n{done.stderr[-3000:]}")
        figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
        figures["bytes"] = sum(path.stat().st_size for path in Path(out_dir).iterdir())
        return figures


def engine_ready() -> bool:
    try:
        from bridgework.research.export import package

        return hasattr(package, "write_package")
    except ImportError:
        return False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=int(number("BENCH_EXPORT_ROWS", 1_000_000)))
    parser.add_argument("--worker", nargs=3, metavar=("STUDY", "FORMAT", "DIR"), help="internal")
    args = parser.parse_args()
    if args.worker:
        worker(int(args.worker[0]), args.worker[1], args.worker[2])
        return
    print("## Research export (bench/research_export.py)")
    url = fresh_postgres("research_export")
    if url is None:
        print("PostgreSQL only: skipped.")
        return
    ENV["DATABASE_URL"] = url
    os.environ.update(ENV)
    migrate(dict(os.environ))
    study_id = setup(url)
    from bridgework.research.models import Study

    clinic = Study.objects.get(pk=study_id).clinic_id
    sizes = sorted({max(args.rows // 10, 1000), args.rows})
    engine = engine_ready()
    print(f"PostgreSQL, {CLIENTS} consenting clients, tables {', '.join(TABLES)}.\n")
    print("| rows | what | seconds | rows/s | of COPY | peak memory MiB (at start) |")
    print("|---|---|---|---|---|---|")
    for size in sizes:
        started = time.perf_counter()
        grow(url, size)
        made = time.perf_counter() - started
        copied, copy_seconds = copy_rate(url, clinic)
        limit = copied / copy_seconds
        print(
            f"| {copied:,} | COPY TO STDOUT (csv) | {copy_seconds:.2f} | {limit:,.0f} | 100 % "
            f"| — (rows made by SQL in {made:.1f} s) |"
        )
        if not engine:
            continue
        for fmt in FORMATS:
            got = export(study_id, fmt)
            rate = got["rows"] / got["seconds"]
            print(
                f"| {got['rows']:,} | write_package {fmt} | {got['seconds']:.2f} | {rate:,.0f} "
                f"| {100 * rate / limit:.0f} % | {got['peak_kib'] / 1024:.0f} "
                f"({got['before_kib'] / 1024:.0f}) |"
            )
    if not engine:
        print("\nresearch.export.package.write_package is not there yet: COPY only.")


if __name__ == "__main__":
    main()
