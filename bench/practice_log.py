"""Benchmark: saving a client's practice log through a real WSGI server on loopback.

For each database (SQLite, PostgreSQL) and each concurrency (1, 8, 32 signed-in clients) it
measures Bridgework's save (POST /me/sync/, the path the phone uses) against two floors with
the same server, database, client and payload:
  (a) a minimal Django view that only checks the session and inserts the same row
      (bench/_lib/floor.py);
  (b) a plain INSERT of the same row through the same database driver, no HTTP at all.
It prints median and p95 time per save and throughput, Bridgework's throughput as a share of
each floor, and checks that every acknowledged write is in the database.

    make bench                      # everything, BENCH_SECONDS (default 3) per cell
    .venv/bin/python -m bench.practice_log --databases postgres --concurrency 8 --seconds 5

PostgreSQL: its own database, bridgework_bench_practice_log (BENCH_PG_URL, see bench/_lib);
when PostgreSQL cannot be reached, only the SQLite half runs. Traffic goes to 127.0.0.1 only;
every loop is bounded by time and by count.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a file (python bench/practice_log.py, as make bench does) or as a module (python -m
# bench.practice_log): either way the repository root is where `bench` is imported from.
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._lib import (
    PYTHON,
    ROOT,
    free_port,
    fresh_postgres,
    migrate,
    number,
    server_environment,
)

MAX_REQUESTS_PER_CLIENT = 5000
CSRF = "b" * 32  # a fixed CSRF secret, sent as cookie and header (Django accepts it unmasked)


@dataclass
class Run:
    name: str
    latencies: list[float] = field(default_factory=list)
    acknowledged: list[str] = field(default_factory=list)
    failures: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    elapsed: float = 0.0

    @property
    def throughput(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    def row(self) -> str:
        ms = sorted(value * 1000 for value in self.latencies) or [0.0]
        p95 = ms[min(len(ms) - 1, int(len(ms) * 0.95))]
        return (
            f"| {self.name} | {len(ms)} | {statistics.median(ms):.1f} | {p95:.1f} | "
            f"{self.throughput:.0f} | {self.failures} |"
        )


def environment(database_url: str, var_dir: str) -> dict[str, str]:
    return server_environment(database_url, var_dir, SIGN_IN_FAILURE_LIMIT="100")


def prepare(database: str, var_dir: str) -> str | None:
    """A fresh, migrated database; None when PostgreSQL cannot be reached."""
    url = f"sqlite:///{var_dir}/bench.sqlite3" if database == "sqlite" else None
    url = url or fresh_postgres("practice_log")
    if url is not None:
        migrate(environment(url, var_dir))
    return url


def cast(database_url: str, var_dir: str, clients: int) -> list[dict[str, Any]]:
    """Clients with an active plan each, signed in: their session key, client and plan ids, and
    the outbox owner their pages would show."""
    output = subprocess.run(
        [PYTHON, "-m", "bench.practice_log", "--make-cast", str(clients)],
        cwd=ROOT,
        env=environment(database_url, var_dir),
        check=True,
        capture_output=True,
        text=True,
    )
    return list(json.loads(output.stdout.strip().splitlines()[-1]))


def make_cast(count: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
    django.setup()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from bridgework.plans import actions as plans
    from bridgework.plans.models import PlanTemplate
    from bridgework.practice.outbox import owner_of
    from bridgework.test import make_client, make_clinic, make_staff

    clinic = make_clinic("Bench clinic")
    therapist = make_staff(clinic, "bench_therapist", "therapist")
    template = PlanTemplate.objects.get(slug="slow-breathing", clinic=None)
    people = []
    for n in range(count):
        client = make_client(clinic, f"bench_client_{n}", therapist)
        plan = plans.agree(plans.start_plan(client, by=therapist, template=template), by=therapist)
        session = SessionStore()
        user = client.user
        assert user is not None
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "bridgework.accounts.backends.Backend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.set_expiry(3600)
        session.create()
        people.append(
            {
                "session": session.session_key,
                "client": client.pk,
                "plan": plan.pk,
                "owner": owner_of(user),  # the server has the same SECRET_KEY
            }
        )
    print(json.dumps(people))


class Server:
    def __init__(self, app: str, database_url: str, var_dir: str) -> None:
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                app,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "3",
                "--worker-class",
                "gthread",
                "--threads",
                "4",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=environment(database_url, var_dir),
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
                connection.request("GET", "/healthz")
                if connection.getresponse().status == 200:
                    return
            except OSError:
                pass
            threading.Event().wait(0.2)  # poll the health check until the server answers
        raise RuntimeError("The server did not start")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def in_threads(target: Any, people: list[dict[str, Any]]) -> float:
    """Run `target(person)` for everyone at once; returns the seconds it took."""
    threads = [threading.Thread(target=target, args=(person,)) for person in people]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def payload(person: dict[str, Any]) -> tuple[str, bytes]:
    uid = str(uuid.uuid4())
    form = {
        "uid": uid,
        "plan": str(person["plan"]),
        "client": str(person["client"]),
        "sheet": "quick",
        "outcome": "done",
        "entries.how_it_went": "60",
    }
    return uid, json.dumps({"kind": "practice", "owner": person["owner"], "form": form}).encode()


def load(port: int, path: str, people: list[dict[str, Any]], seconds: float, name: str) -> Run:
    run, lock = Run(name), threading.Lock()
    deadline = time.monotonic() + seconds

    def client(person: dict[str, Any]) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {
            "Content-Type": "application/json",
            "X-CSRFToken": CSRF,
            "Cookie": f"sessionid={person['session']}; csrftoken={CSRF}",
        }
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                break
            uid, body = payload(person)
            start = time.perf_counter()
            connection.request("POST", path, body=body, headers=headers)
            response = connection.getresponse()
            response.read()
            took = time.perf_counter() - start
            with lock:
                run.latencies.append(took)
                run.statuses[response.status] = run.statuses.get(response.status, 0) + 1
                if response.status in (200, 201):
                    run.acknowledged.append(uid)
                else:
                    run.failures += 1
        connection.close()

    run.elapsed = in_threads(client, people)
    return run


INSERT = (
    "INSERT INTO practice_practicelog (uid, client_id, plan_id, created_by_id, outcome, "
    "practiced_at, duration_minutes, worksheet, worksheet_version, entries, "
    "obstacles_note, note, is_private, received_at) VALUES ({p}, {p}, {p}, NULL, 'done', "
    "{p}, NULL, 'quick', 1, {p}, '', '', {false}, {p})"
)


def plain_inserts(database: str, url: str, people: list[dict[str, Any]], seconds: float) -> Run:
    run, lock = Run("(b) plain INSERT"), threading.Lock()
    deadline = time.monotonic() + seconds

    def connect() -> Any:
        if database == "sqlite":
            connection = sqlite3.connect(
                url.removeprefix("sqlite:///"),
                timeout=20,
                isolation_level=None,
                check_same_thread=False,
            )
            connection.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
            return connection
        import psycopg

        return psycopg.connect(url, autocommit=True)

    def writer(person: dict[str, Any]) -> None:
        connection = connect()
        mark = "?" if database == "sqlite" else "%s"
        sql = INSERT.format(p=mark, false="0" if database == "sqlite" else "false")
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                break
            uid = uuid.uuid4()
            now = time.strftime("%Y-%m-%d %H:%M:%S+00:00", time.gmtime())
            values = (
                uid.hex if database == "sqlite" else uid,
                person["client"],
                person["plan"],
                now,
                json.dumps({"how_it_went": 60}),
                now,
            )
            start = time.perf_counter()
            if database == "sqlite":
                connection.execute("BEGIN IMMEDIATE")
                connection.execute(sql, values)
                connection.execute("COMMIT")
            else:
                connection.execute(sql, values)
            took = time.perf_counter() - start
            with lock:
                run.latencies.append(took)
                run.acknowledged.append(str(uid))
        connection.close()

    run.elapsed = in_threads(writer, people)
    return run


def stored(database: str, url: str, uids: list[str]) -> int:
    """How many of the acknowledged uids are in the table."""
    if database == "sqlite":
        with sqlite3.connect(url.removeprefix("sqlite:///")) as connection:
            found = {row[0] for row in connection.execute("SELECT uid FROM practice_practicelog")}
        return sum(1 for uid in uids if uuid.UUID(uid).hex in found)
    import psycopg

    with psycopg.connect(url) as connection:
        found = {str(row[0]) for row in connection.execute("SELECT uid FROM practice_practicelog")}
    return sum(1 for uid in uids if uid in found)


def bench(database: str, levels: list[int], seconds: float) -> list[str]:
    lines = [
        f"\n### {database}\n",
        "| concurrency · what | saves | median ms | p95 ms | saves/s | failed |",
        "|---|---|---|---|---|---|",
    ]
    with tempfile.TemporaryDirectory() as var_dir:
        url = prepare(database, var_dir)
        if url is None:
            return [
                *lines[:1],
                "Skipped: PostgreSQL is not running (start it, or set BENCH_PG_URL).",
            ]
        people = cast(url, var_dir, max(levels))
        results: dict[tuple[int, str], Run] = {}
        for app, path, label in (
            ("bridgework.wsgi:application", "/me/sync/", "Bridgework"),
            ("bench._lib.floor:application", "/bench/floor/", "(a) minimal view"),
        ):
            server = Server(app, url, var_dir)
            try:
                load(server.port, path, people[:1], 1.0, "warm-up")
                for level in levels:
                    run = load(server.port, path, people[:level], seconds, label)
                    results[(level, label)] = run
            finally:
                server.stop()
        for level in levels:
            results[(level, "(b)")] = plain_inserts(database, url, people[:level], seconds)
        for level in levels:
            ours = results[(level, "Bridgework")]
            view, insert = results[(level, "(a) minimal view")], results[(level, "(b)")]
            for run in (ours, view, insert):
                lines.append(run.row().replace("| ", f"| {level} · ", 1))
            lost = len(ours.acknowledged) - stored(database, url, ours.acknowledged)
            lines.append(
                f"| {level} · **Bridgework ÷ (a)** | {ours.throughput / view.throughput:.0%} "
                f"| **÷ (b)** {ours.throughput / insert.throughput:.0%} | lost writes: "
                f"**{lost}** of {len(ours.acknowledged)} acknowledged | | |"
            )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--concurrency", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=number("BENCH_SECONDS", 3))
    parser.add_argument("--make-cast", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.make_cast:
        make_cast(args.make_cast)
        return
    levels = [int(level) for level in args.concurrency.split(",")]
    print("## Saving a practice log (bench/practice_log.py)")
    print(
        f"gunicorn gthread 3×4 on 127.0.0.1, {args.seconds:g} s per cell, "
        f"{os.cpu_count()} CPU cores shared by server, database and load generator."
    )
    for database in args.databases.split(","):
        print("\n".join(bench(database, levels, args.seconds)), flush=True)


if __name__ == "__main__":
    main()
