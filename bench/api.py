"""Benchmark: the FHIR export of a client's record, its queries and its time beside the page.

Issue 15: for a client with three months of history and one with two years, beside the
therapist's client page in the same run.

It counts the queries of the export (`fhir.everything` and the download route
/fhir/clients/<id>/record.json) for both clients and exits non-zero when they differ: the
export must cost a fixed number of queries however long the history. Then it times the
download for both, `everything` alone, and the client page of the two-year client, taken in
turn, and prints medians, p95 and the ratio of the two-year export to the two-year page.

    make bench                                   # BENCH_RENDERS (default 30) runs each
    .venv/bin/python -m bench.api --renders 60 --databases sqlite postgresql

SQLite (a temporary file) always; PostgreSQL as well when BENCH_PG_URL is set (or
`--databases postgresql`), in its own database <prefix>_api (see bench/_lib), skipped with a
line saying why when the server cannot be reached. Each database is measured in a process
of its own, as Django holds one set of settings per process.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

# Run as a file (python bench/api.py, as make bench does) or as a module (python -m
# bench.api): either way the repository root is where `bench` is imported from.
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._lib import IN_PROCESS, PYTHON, ROOT, fresh_postgres, migrate, number
from bench._lib.history import goals_consent_and_check_ins, history, settle
from bench._lib.timing import in_turn, page, row

HISTORIES = (("three months", 13), ("two years", 104))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--renders",
        type=int,
        default=int(number("BENCH_RENDERS", 30)),
        help="runs of each export and page (BENCH_RENDERS, default 30)",
    )
    default = ["sqlite", "postgresql"] if "BENCH_PG_URL" in os.environ else ["sqlite"]
    parser.add_argument(
        "--databases",
        nargs="+",
        choices=["sqlite", "postgresql"],
        default=default,
        help="sqlite always by default, postgresql too when BENCH_PG_URL is set",
    )
    # Internal: the child process that measures one database (named for the report).
    parser.add_argument("--measure", metavar="DATABASE", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        raise SystemExit(measure(args.measure, args.renders))
    failed = [name for name in args.databases if not on(name, args.renders)]
    if failed:
        raise SystemExit(f"The FHIR export failed its check on {', '.join(failed)}")


def on(database: str, renders: int) -> bool:
    """Measure on a fresh database of that kind, in a process of its own; False when the
    measurement failed (a skipped PostgreSQL is no failure)."""
    with tempfile.TemporaryDirectory() as var_dir:
        if database == "sqlite":
            url, name = f"sqlite:///{var_dir}/bench.sqlite3", "SQLite"
        else:
            url, name = fresh_postgres("api"), "PostgreSQL"
            if url is None:
                print("PostgreSQL part skipped.")
                return True
        env = {**os.environ, **IN_PROCESS, "DATABASE_URL": url, "VAR_DIR": var_dir}
        migrate(env)
        command = [PYTHON, str(Path(__file__).resolve()), "--measure", name]
        done = subprocess.run([*command, "--renders", str(renders)], cwd=ROOT, env=env)
        return done.returncode == 0


def measure(database: str, renders: int) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
    import django

    django.setup()
    from bridgework.test import make_client, make_clinic, make_staff

    clinic = make_clinic("Bench clinic")
    therapist = make_staff(clinic, "bench_therapist", "therapist")
    clients = []
    for label, weeks in HISTORIES:
        client = make_client(clinic, label.replace(" ", "_"), therapist)
        history(client, weeks)
        goals_consent_and_check_ins(client, weeks)
        clients.append(client)
    settle()
    print(f"## The FHIR export of a client's record (bench/api.py), {database}\n")
    if not same_queries(clients):
        return 1
    timed(clients, renders)
    return 0


def same_queries(clients) -> bool:  # type: ignore[no-untyped-def]
    """Print the queries of the export for each client; True when they are the same number."""
    counted = [queries(client) for client in clients]
    print("| history | resources | everything(): reads + event statements | download route |")
    print("|---|---|---|---|")
    for (label, _weeks), (resources, reads, writes, route) in zip(HISTORIES, counted, strict=True):
        print(f"| {label} | {resources} | {reads} + {writes} | {route} |")
    if len({tuple(count[1:]) for count in counted}) != 1:
        print("\nThe export's queries grow with the history: FAILED")
        return False
    print(f"\nQueries, the same for both: **{counted[0][1]}** reads in `everything`.\n")
    return True


def queries(client) -> tuple[int, int, int, int]:  # type: ignore[no-untyped-def]
    """The Bundle's entries; the reads of `everything` called directly and its other
    statements (the doors' access events, each written at once in its own transaction
    outside a request); every query of the download route, session and sign-in included."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bridgework.interop import fhir
    from bridgework.test import request_of

    therapist = client.care_team.get()
    with CaptureQueriesContext(connection) as direct:
        bundle = fhir.everything(request_of(therapist), client.pk, "identified")
    reads = sum(1 for query in direct.captured_queries if query["sql"].startswith("SELECT"))
    browser = signed_in(therapist)
    with CaptureQueriesContext(connection) as route:
        page(browser, f"/fhir/clients/{client.pk}/record.json")()
    return len(bundle["entry"]), reads, len(direct) - reads, len(route)


def signed_in(user):  # type: ignore[no-untyped-def]
    from django.test import Client as Browser

    browser = Browser()
    browser.force_login(user)
    return browser


def timed(clients, renders: int) -> None:  # type: ignore[no-untyped-def]
    from bridgework.interop import fhir
    from bridgework.test import request_of

    short, long = clients
    therapist = long.care_team.get()
    browser = signed_in(therapist)
    calls = {
        "client page, two years": page(browser, f"/clients/{long.pk}/"),
        "FHIR download, three months": page(browser, f"/fhir/clients/{short.pk}/record.json"),
        "FHIR download, two years": page(browser, f"/fhir/clients/{long.pk}/record.json"),
        "everything(), two years": lambda: fhir.everything(
            request_of(therapist), long.pk, "identified"
        ),
    }
    took = dict(zip(calls, in_turn(list(calls.values()), renders), strict=True))
    print(f"In-process Django test client, {renders} runs each, taken in turn.\n")
    print("| what | median ms | p95 ms |")
    print("|---|---|---|")
    for label, values in took.items():
        print(row(label, values))
    export, client_page = took["FHIR download, two years"], took["client page, two years"]
    ratio = statistics.median(export) / statistics.median(client_page)
    print(f"\nRatio FHIR download ÷ client page, two years (medians): **{ratio:.2f}**")


if __name__ == "__main__":
    main()
