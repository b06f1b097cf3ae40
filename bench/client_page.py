"""Benchmark: rendering the therapist's client page for a client with one month of history and
for one with two years, on PostgreSQL. Prints median and p95 render times and their ratio.

    make bench                                  # BENCH_RENDERS (default 30) renders each
    .venv/bin/python -m bench.client_page --renders 60

PostgreSQL: its own database, bridgework_bench_client_page (BENCH_PG_URL, see bench/_lib);
when PostgreSQL cannot be reached it runs on a temporary SQLite file instead, and says so.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

# Run as a file (python bench/client_page.py, as make bench does) or as a module (python -m
# bench.client_page): either way the repository root is where `bench` is imported from.
if not __package__:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._lib import IN_PROCESS, fresh_postgres, migrate, number
from bench._lib.history import history, settle
from bench._lib.timing import in_turn, page, row

ENV = dict(IN_PROCESS)


def fresh_database(var_dir: str) -> str:
    """The database's name for the report; DATABASE_URL is set for this process."""
    url = fresh_postgres("client_page")
    name = "PostgreSQL"
    if url is None:
        url, name = f"sqlite:///{var_dir}/bench.sqlite3", "SQLite (PostgreSQL not reachable)"
    ENV.update(DATABASE_URL=url, VAR_DIR=var_dir)
    migrate({**os.environ, **ENV})
    return name


def timings(clients, renders: int) -> list[list[float]]:  # type: ignore[no-untyped-def]
    """Render times per client, taken in turn so that background noise falls on both alike."""
    from django.test import Client as Browser

    pages = []
    for client in clients:
        browser = Browser()
        browser.force_login(client.care_team.get())
        pages.append(page(browser, f"/clients/{client.pk}/"))
    return in_turn(pages, renders)


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
    settle()
    short, long = timings([month, years], renders)
    print("## The therapist's client page (bench/client_page.py)")
    print(f"{database}, in-process Django test client, {renders} renders each.\n")
    print("| history | median ms | p95 ms |")
    print("|---|---|---|")
    for label, values in (("one month", short), ("two years", long)):
        print(row(label, values))
    ratio = statistics.median(long) / statistics.median(short)
    print(f"\nRatio two years ÷ one month (medians): **{ratio:.2f}**")


if __name__ == "__main__":
    main()
