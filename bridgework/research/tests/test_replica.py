"""Research reads come from the streaming replica, never the primary: rows committed on the
primary are read back through research_database() once the replica has replayed them, by a
connection that is in recovery and refuses writes, while the primary sees none of the reads.

Runs against the real replica that .ci/run makes (scripts/pg-replica.sh): `make test-replica`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from django.db import InternalError, connections, transaction
from django.test import TransactionTestCase
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from psycopg import errors

from bridgework.accounts.models import Supervision
from bridgework.care.models import Client, Consent
from bridgework.research.actions import StudyRefused, request_export
from bridgework.research.export.package import write_package
from bridgework.research.export.pseudonyms import Pseudonyms
from bridgework.research.export.tables import TABLES
from bridgework.research.models import Study
from bridgework.research.replica import research_database
from bridgework.research.tests.helpers import consent, course
from bridgework.test import make_client, make_clinic, make_staff


def one(alias: str, query: str, *params: Any) -> Any:
    with connections[alias].cursor() as cursor:
        cursor.execute(query, params)
        row = cursor.fetchone()
    assert row is not None
    return row[0]


@contextmanager
def replay_paused() -> Iterator[None]:
    """The replica stops applying what the primary writes until the block ends: the pause is
    requested before the next WAL record is applied, so what the primary commits inside the
    block is not on the replica yet."""
    one("replica", "SELECT pg_wal_replay_pause()")
    try:
        yield
    finally:
        one("replica", "SELECT pg_wal_replay_resume()")


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

    def setUp(self) -> None:
        # Each of the test's commits on the primary returns once the replica has applied it
        # (scripts/pg-replica.sh names the replica a synchronous standby for sessions asking
        # remote_apply): the test reads the replica without polling it. The timeout bounds a
        # commit's wait should the replica be gone. This first commit (an xid) also makes
        # sure the test database itself has arrived on the replica.
        one("default", "SELECT set_config('synchronous_commit', 'remote_apply', false)")
        one("default", "SELECT set_config('statement_timeout', '30s', false)")
        one("default", "SELECT txid_current()")

    @classmethod
    def tearDownClass(cls) -> None:
        one("default", "SELECT set_config('synchronous_commit', 'local', false)")
        one("default", "SELECT set_config('statement_timeout', '0', false)")
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
        with pytest.raises(InternalError) as refused:
            Client.objects.using("replica").filter(clinic=clinic).update(full_name="Nobody")
        assert isinstance(refused.value.__cause__, errors.ReadOnlySqlTransaction)

    def test_a_withdrawal_the_replica_has_not_applied_yet_still_leaves_the_client_out(
        self,
    ) -> None:
        study, clients = self.study_of_two_consenting_clients()
        out = Path(tempfile.mkdtemp(prefix="bw-replica-"))
        with replay_paused():
            # Committed without waiting for the (paused) replica.
            with transaction.atomic(using="default"):
                one("default", "SELECT set_config('synchronous_commit', 'local', true)")
                consent(clients[0], False)
            still_open = Consent.objects.using("replica").filter(
                client=clients[0], purpose=Consent.Purpose.RESEARCH, withdrawn_at=None
            )
            assert still_open.exists(), "the replica applied the withdrawal: no lag to test"
            read = write_package(study, fmt="csv", out_dir=out, using=research_database())
        assert read.clients_included == 1
        left_out = Pseudonyms(study.pseudonym_key).of("client", clients[0].pk)
        assert read.withdrawn == [left_out]
        assert left_out not in (out / "clients.csv").read_text()
        assert left_out not in (out / "practice_logs.csv").read_text()

    def test_asking_for_an_export_checks_the_consents_on_the_primary(self) -> None:
        study, clients = self.study_of_two_consenting_clients()
        with replay_paused():
            with transaction.atomic(using="default"):
                one("default", "SELECT set_config('synchronous_commit', 'local', true)")
                for client in clients:
                    consent(client, False)
            assert (
                Consent.objects.using("replica")
                .filter(client__in=clients, purpose=Consent.Purpose.RESEARCH, withdrawn_at=None)
                .exists()
            ), "the replica applied the withdrawals: no lag to test"
            assert study.created_by is not None
            with pytest.raises(StudyRefused, match="No client of this study has an open"):
                request_export(study, "csv", by=study.created_by)

    def study_of_two_consenting_clients(self) -> tuple[Study, list[Client]]:
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
        return study, clients

    def test_an_export_reads_every_row_from_the_replica_and_none_from_the_primary(self) -> None:
        study, _clients = self.study_of_two_consenting_clients()
        out = Path(tempfile.mkdtemp(prefix="bw-replica-"))

        with (
            CaptureQueriesContext(connections["default"]) as on_primary,
            CaptureQueriesContext(connections["replica"]) as on_replica,
        ):
            read = write_package(study, fmt="parquet", out_dir=out, using=research_database())

        # One question to the primary (which of the consenting clients have withdrawn since
        # the replica's last replay), and no read of any table's rows there.
        (asked,) = [q["sql"] for q in on_primary.captured_queries]
        assert '"care_consent"' in asked and "practice" not in asked and "plans" not in asked
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
