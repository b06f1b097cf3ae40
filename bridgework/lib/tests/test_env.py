from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from bridgework.lib.env import Env, secret_key

STRONG = "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789"
ROOT = Path(__file__).resolve().parents[3]


def test_it_reads_yes_and_no_words() -> None:
    env = Env({"A": "yes", "B": "0", "C": "True"})
    assert (env.boolean("A"), env.boolean("B"), env.boolean("C")) == (True, False, True)
    assert env.boolean("MISSING", default=True) is True


def test_it_refuses_a_yes_no_value_it_does_not_understand_naming_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG='maybe' is not a yes/no value"):
        Env({"DEBUG": "maybe"}).boolean("DEBUG")


def test_it_refuses_numbers_out_of_range_and_words_for_numbers() -> None:
    with pytest.raises(ImproperlyConfigured, match=r"PORT=70000 is out of range.*1 to 65535"):
        Env({"PORT": "70000"}).integer("PORT", 8000, low=1, high=65535)
    with pytest.raises(ImproperlyConfigured, match=r"PORT='eighty' is not a whole number"):
        Env({"PORT": "eighty"}).integer("PORT", 8000)


def test_it_splits_lists_and_drops_empty_entries() -> None:
    assert Env({"HOSTS": "a.org, b.org,,"}).strings("HOSTS") == ["a.org", "b.org"]


def test_it_reads_a_secret_from_a_file(tmp_path: Path) -> None:
    (tmp_path / "key").write_text(STRONG + "\n")
    assert Env({"SECRET_KEY_FILE": str(tmp_path / "key")}).raw("SECRET_KEY") == STRONG


def test_it_says_which_secret_file_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY_FILE points at"):
        Env({"SECRET_KEY_FILE": str(tmp_path / "absent")}).raw("SECRET_KEY")


def test_it_refuses_a_missing_secret_key_when_debug_is_off(tmp_path: Path) -> None:
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is missing"):
        secret_key(Env({}), debug=False, var_dir=tmp_path)


def test_it_refuses_weak_secret_keys(tmp_path: Path) -> None:
    for weak in ("short", "a" * 60, "django-insecure-" + STRONG):
        with pytest.raises(ImproperlyConfigured, match="SECRET_KEY is too weak"):
            secret_key(Env({"SECRET_KEY": weak}), debug=False, var_dir=tmp_path)


def test_with_debug_on_it_generates_a_key_once_and_keeps_it(tmp_path: Path) -> None:
    first = secret_key(Env({}), debug=True, var_dir=tmp_path)
    second = secret_key(Env({}), debug=True, var_dir=tmp_path)
    assert first == second and len(first) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


PG = "postgres://primary:5432/bridgework"
# Imports the settings (which stop on a bad value) and prints the database named by PRINT.
SHOW_DATABASE = """
import os
import bridgework.settings as s
alias = os.environ.get("PRINT")
if alias:
    db = s.DATABASES[alias]
    print(db["HOST"], db["PORT"], db["NAME"], db["TEST"]["NAME"])
"""


def start_settings(**variables: str) -> subprocess.CompletedProcess[str]:
    environment = {"PATH": os.environ["PATH"], "SECRET_KEY": STRONG, **variables}
    return subprocess.run(
        [sys.executable, "-c", SHOW_DATABASE],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"DATABASE_URL": "mysql://db/bridgework"}, "DATABASE_URL names"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL='nonsense' cannot be used"),
        ({"PORT": "0"}, "PORT=0 is out of range"),
        ({"DEBUG": "perhaps"}, "DEBUG='perhaps' is not a yes/no value"),
        ({"SECRET_KEY": ""}, "SECRET_KEY is too weak"),
        ({"EMAIL_PORT": "465", "EMAIL_USE_TLS": "1"}, "EMAIL_USE_TLS and EMAIL_USE_SSL"),
        ({"DATABASE_REPLICA_URL": "postgres://r/bridgework"}, "DATABASE_REPLICA_URL is for"),
        (
            {"DATABASE_URL": PG, "DATABASE_REPLICA_URL": "sqlite:///r.sqlite3"},
            "DATABASE_REPLICA_URL is for a PostgreSQL streaming replica",
        ),
        ({"DATABASE_URL": PG, "DATABASE_REPLICA_URL": "nonsense"}, "DATABASE_REPLICA_URL='nons"),
        (
            {"DATABASE_URL": PG, "DATABASE_REPLICA_URL": "postgres://r:5433/other"},
            "names the database 'other', DATABASE_URL 'bridgework'",
        ),
    ],
)
def test_start_up_stops_on_a_bad_value_naming_the_variable(
    variables: dict[str, str], message: str, tmp_path: Path
) -> None:
    result = start_settings(VAR_DIR=str(tmp_path), **variables)
    assert result.returncode != 0
    assert message in result.stderr


def test_start_up_succeeds_with_good_values(tmp_path: Path) -> None:
    result = start_settings(VAR_DIR=str(tmp_path), PORT="8123", DEBUG="no")
    assert result.returncode == 0, result.stderr


def test_a_replica_beside_the_primary_is_the_research_database_and_tests_its_test_database(
    tmp_path: Path,
) -> None:
    result = start_settings(
        VAR_DIR=str(tmp_path),
        DATABASE_URL=PG,
        DATABASE_REPLICA_URL="postgres://standby:5433/bridgework",
        PRINT="replica",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["standby", "5433", "bridgework", "test_bridgework"]


def test_production_hashes_passwords_with_argon2() -> None:
    import bridgework.settings as production

    assert production.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
