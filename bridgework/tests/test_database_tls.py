"""TLS to PostgreSQL from DATABASE_URL: the options reach psycopg, a wrong one stops start-up.

These check the settings only; a real TLS connection needs a server with ssl=on, which the
shared test cluster is not (docs/operations.md says how to check one by hand)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bridgework.backups.postgres import conninfo
from bridgework.settings import database_from_url

ROOT = Path(__file__).resolve().parents[2]
STRONG = "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789"


@pytest.fixture
def ca(tmp_path: Path) -> Path:
    path = tmp_path / "ca.pem"
    path.write_text("-----BEGIN CERTIFICATE-----\n")  # read by libpq only when connecting
    return path


def test_verify_full_and_its_ca_arrive_in_the_connection_options(ca: Path) -> None:
    url = f"postgres://app:secret@db.clinic.example:5432/bridgework?sslmode=verify-full&sslrootcert={ca}"
    config = database_from_url(url)
    assert config["OPTIONS"] == {"sslmode": "verify-full", "sslrootcert": str(ca)}
    assert (config["HOST"], config["NAME"]) == ("db.clinic.example", "bridgework")


def test_the_systems_certificate_authorities_may_stand_for_the_ca_file() -> None:
    config = database_from_url("postgres://db/bridgework?sslmode=verify-full&sslrootcert=system")
    assert config["OPTIONS"]["sslrootcert"] == "system"


def test_the_backup_programs_get_the_same_tls_options_but_never_the_password(ca: Path) -> None:
    config = database_from_url(
        f"postgres://app:secret@db:5432/bw?sslmode=verify-full&sslrootcert={ca}"
    )
    info = conninfo(config, "bw")
    assert "sslmode=verify-full" in info and f"sslrootcert={ca}" in info
    assert "secret" not in info


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("sslmode=verify_full", "DATABASE_URL has sslmode='verify_full'. Expected one of: disable"),
        ("sslmode=strict", "DATABASE_URL has sslmode='strict'"),
        ("sslmod=verify-full", "DATABASE_URL has the option(s) sslmod, which PostgreSQL's"),
        ("sslrootcert=/nowhere/ca.pem", "sslrootcert='/nowhere/ca.pem', which cannot be read"),
        ("sslcert=/nowhere/client.pem", "sslcert='/nowhere/client.pem', which cannot be read"),
    ],
)
def test_it_refuses_a_tls_option_postgresql_would_not_take(query: str, message: str) -> None:
    with pytest.raises(ImproperlyConfigured) as refused:
        database_from_url(f"postgres://db/bridgework?{query}")
    assert message in str(refused.value)


def test_start_up_stops_on_an_unknown_sslmode_naming_it(tmp_path: Path) -> None:
    environment = {
        "PATH": os.environ["PATH"],
        "SECRET_KEY": STRONG,
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": "postgres://db/bridgework?sslmode=verify",
    }
    started = subprocess.run(
        [sys.executable, "-c", "import bridgework.settings"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert started.returncode != 0
    assert "DATABASE_URL has sslmode='verify'" in started.stderr
