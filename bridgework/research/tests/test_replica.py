"""Research reads come from the streaming replica, never the primary: rows committed on the
primary are read back through research_database() once the replica has replayed them, by a
connection that is in recovery and refuses writes, while the primary sees none of the reads.

Runs against the real replica that .ci/run makes (scripts/pg-replica.sh): `make test-replica`.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import InternalError, OperationalError, connections
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from psycopg import errors

from bridgework.care import actions as care
from bridgework.care.models import Client, Consent
from bridgework.research.replica import research_database
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

    def test_rows_committed_on_the_primary_are_read_from_the_replica_alone(self) -> None:
        clinic = make_clinic("Northside Therapy")
        therapist = make_staff(clinic, "therapist_a", "therapist")
        consenting = [make_client(clinic, f"client_{n}", therapist) for n in range(3)]
        make_client(clinic, "client_without_consent", therapist)
        for client in consenting:
            care.set_consent(client, Consent.Purpose.RESEARCH, True, by=therapist)
        wait_until_replayed()

        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections["replica"]) as on_replica,
        ):
            read = set(
                Client.objects.using(research_database())
                .filter(
                    clinic=clinic,
                    consents__purpose=Consent.Purpose.RESEARCH,
                    consents__withdrawn_at=None,
                )
                .values_list("pk", flat=True)
            )

        assert read == {client.pk for client in consenting}
        assert len(on_replica) == 1
        assert len(on_primary) == 0
