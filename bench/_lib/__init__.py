"""What every benchmark needs: its own database, its sizes, a port. Not a benchmark itself:
`make bench` runs every bench/*.py whose name does not start with an underscore.

Sizes come from environment variables with modest defaults, so `make bench` takes a few
minutes; the figures in docs/performance.md name the sizes they were taken with.

    BENCH_PG_URL   the PostgreSQL server and a database-name prefix of the benchmarks' own
                   (default postgres://postgres@127.0.0.1:5432/bridgework_bench): each
                   benchmark drops and creates <prefix>_<its name> there, never anything else
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent.parent
PYTHON = sys.executable
SECRET = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFG"
PG_URL = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/bridgework_bench")
# The settings of a benchmark that runs Django in its own process (the test client, no
# server): as in production but for the host the test client names and the secret.
IN_PROCESS = {
    "DEBUG": "0",
    "STATIC_MANIFEST": "0",
    "ALLOWED_HOSTS": "testserver",
    "SECRET_KEY": SECRET,
    "LOG_LEVEL": "WARNING",
}


def number(name: str, default: float) -> float:
    """A size from the environment (BENCH_SECONDS=3), refusing anything but a positive number."""
    raw = os.environ.get(name, "")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = 0
    if value <= 0:
        raise SystemExit(f"{name}={raw!r}: expected a positive number, e.g. {name}={default:g}")
    return value


def fresh_postgres(name: str) -> str | None:
    """A new, empty database <prefix>_<name> on the benchmark's PostgreSQL server (its URL), or
    None, with a line saying why, when that server cannot be reached."""
    import psycopg
    from psycopg import sql

    address = urlsplit(PG_URL)
    database = f"{address.path.strip('/') or 'bridgework_bench'}_{name}"
    try:
        with psycopg.connect(
            urlunsplit(address._replace(path="/postgres")), autocommit=True
        ) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database))
            )
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    except psycopg.OperationalError as problem:
        reason = (str(problem).strip().splitlines() or ["no answer"])[0]
        print(f"PostgreSQL at {PG_URL} cannot be reached: {reason}")
        return None
    return urlunsplit(address._replace(path=f"/{database}"))


def server_environment(database_url: str, var_dir: str, **extra: str) -> dict[str, str]:
    """The environment a benchmark's own server processes (gunicorn, manage.py) run in:
    production settings on 127.0.0.1, logs at WARNING, plus what the benchmark adds."""
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": SECRET,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        "STATIC_MANIFEST": "0",
        "VAR_DIR": var_dir,
        "LOG_LEVEL": "WARNING",
        **extra,
    }


def migrate(env: dict[str, str]) -> None:
    subprocess.run([PYTHON, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)


def free_port() -> int:
    """A port on 127.0.0.1 nothing listens on now (so two runs never meet on a fixed one)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
