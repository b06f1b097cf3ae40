"""Research reads come from the streaming replica, never the primary: rows committed on the
primary are read back through research_database() once the replica has replayed them, by a
connection that is in recovery and refuses writes, while the primary sees none of the reads.

Runs against the real replica that .ci/run makes (scripts/pg-replica.sh): `make test-replica`.
"""

from __future__ import annotations

import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.db import InternalError, OperationalError, connections, transaction
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg import errors

from bridgework.accounts.models import Supervision
from bridgework.care.models import Client
from bridgework.research.export.package import write_package
from bridgework.research.export.tables import TABLES
from bridgework.research.models import Study
from bridgework.research.replica import research_database
from bridgework.research.tests.helpers import consent, course
from bridgework.test import make_client, make_clinic, make_staff

REPLAY_SECONDS = 30.0


def one(alias: str, query: str, *params: Any) -> Any:
    with connections[alias].cursor() as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
    assert row is not None
    return row[0]


def wait_until_replayed() -> None:
    """Waits until the replica has replayed everything the primary has written so far (its
    commits included), failing after REPLAY_SECONDS: a wait on the condition, not a guess."""
    assert one("replica", "SELECT pg_is_in_recovery()"), "DATABASE_REPLICA_URL is no replica"
    written = one("default", "SELECT pg_current_wal_lsn()::text")
    deadline = time.monotonic() + REPLAY_SECONDS
    while True:
        try:
            if one("replica", "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", written):
                return
        except OperationalError:  # the test database itself may not have arrived yet
            connections["replica"].close()
        if time.monotonic() > deadline:
            raise AssertionError(f"the replica had not replayed {written} in {REPLAY_SECONDS} s")
        time.sleep(0.02)


@pytest.mark.replica
class ResearchReadsComeFromTheReplica(TransactionTestCase):
    databases = {"default", "replica"}

    @classmethod
    def _databases_names(cls, include_mirrors: bool = True) -> list[str]:
        # Between tests Django empties every database a test uses; the replica is read-only and
        # empties when the primary does (the TRUNCATE replicates), so only the primary is flushed.
        # (A private hook of TransactionTestCase that django-stubs does not list.)
        names = super()._databases_names(include_mirrors)  # type: ignore[misc]
        return [name for name in names if name != "replica"]

    @classmethod
    def tearDownClass(cls) -> None:
        connections["replica"].close()  # before the primary drops the test database
        super().tearDownClass()

    def test_research_reads_from_the_replica_alias(self) -> None:
        assert research_database() == "replica"

    def test_the_replica_is_a_standby_of_the_primary_on_another_server(self) -> None:
        assert one("replica", "SELECT pg_is_in_recovery()") is True
        assert one("default", "SELECT pg_is_in_recovery()") is False
        replica_port = one("replica", "SELECT inet_server_port()")
        assert replica_port != one("default", "SELECT inet_server_port()")
        assert one("replica", "SELECT current_database()") == one(
            "default", "SELECT current_database()"
        )

    def test_a_write_through_the_replica_is_refused_as_read_only(self) -> None:
        clinic = make_clinic("Northside Therapy")
        wait_until_replayed()
        with pytest.raises(InternalError) as refused:
            Client.objects.using("replica").filter(clinic=clinic).update(full_name="Nobody")
        assert isinstance(refused.value.__cause__, errors.ReadOnlySqlTransaction)

    def test_an_export_reads_every_row_from_the_replica_and_none_from_the_primary(self) -> None:
        clinic = make_clinic("Northside Therapy")
        admin = make_staff(clinic, "clinic_admin", "clinic_admin")
        therapist = make_staff(clinic, "therapist_a", "therapist")
        supervisor = make_staff(clinic, "supervisor", "supervisor")
        Supervision.objects.create(supervisor=supervisor, supervisee=therapist)
        clients = [make_client(clinic, f"client_{n}", therapist) for n in range(2)]
        for client in clients:
            course(client, therapist, supervisor)
            consent(client)
        make_client(clinic, "client_without_consent", therapist)
        today = timezone.localdate()
        study = Study.objects.create(
            clinic=clinic,
            name="Engagement and outcome",
            purpose="Does doing homework predict the next session's PHQ-9?",
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=60),
            tables=list(TABLES),
            created_by=admin,
        )
        study.clinics.set([clinic])
        wait_until_replayed()
        out = Path(tempfile.mkdtemp(prefix="bw-replica-"))

        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections["replica"]) as on_replica,
        ):
            read = write_package(study, fmt="parquet", out_dir=out, using=research_database())

        # One question to the primary (its WAL position, for the replica to catch up to),
        # and no read of client data there.
        assert [q["sql"] for q in on_primary.captured_queries] == [
            "SELECT pg_current_wal_lsn()::text"
        ]
        assert len(on_replica) > len(TABLES)
        # The same package as the primary's own rows give: the replica held all of them.
        # (inside a transaction of the test's own: on its own, an export from the default
        # database opens a second connection, which a test case may not)
        with transaction.atomic(using="default"):
            primary = write_package(study, fmt="parquet", out_dir=out / "primary", using="default")
        assert read.rows == primary.rows and read.clients_included == 2
        assert all(read.rows[name] > 0 for name in ("practice_logs", "ratings", "plans"))
        for name in TABLES:
            assert pd.read_parquet(out / f"{name}.parquet").equals(
                pd.read_parquet(out / "primary" / f"{name}.parquet")
            ), name
