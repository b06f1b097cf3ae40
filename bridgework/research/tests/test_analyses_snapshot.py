"""The analyses page reads the study's rows in the export's one snapshot: on PostgreSQL every
query of the model's tables runs in one read-only REPEATABLE READ transaction of its own
connection (research.export.snapshot), so a review or PHQ-9 saved while the page reads is in
all of its tables or in none. SQLite has no such transaction to ask for: the reads run as
they are, on the one connection."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.signals import connection_created
from django.test import Client as Browser
from django.test import TransactionTestCase
from django.utils import timezone

from bridgework.accounts.models import Supervision
from bridgework.research import actions, recipe
from bridgework.research.models import Study
from bridgework.research.tests.helpers import consent, course
from bridgework.test import make_client, make_clinic, make_staff

# The tables the engagement model reads (sessions, reviews, measure_responses).
MODEL_TABLES = ('"care_therapysession"', '"plans_review"', '"measures_response"')
# What PostgreSQL says of the transaction a query runs in: the backend, its isolation, whether
# it is read-only, when it began (a query outside a transaction is one of its own, begun with
# it) and its snapshot (the same for every query of one REPEATABLE READ transaction).
TRANSACTION = (
    "SELECT pg_backend_pid(), current_setting('transaction_isolation'), "
    "current_setting('transaction_read_only'), transaction_timestamp()::text, "
    "pg_current_snapshot()::text"
)

Seen = list[tuple[str, tuple[Any, ...]]]


def watcher(seen: Seen, on: BaseDatabaseWrapper) -> Callable[..., Any]:
    def watch(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        result = execute(sql, params, many, context)
        if any(table in sql for table in MODEL_TABLES):
            seen.append((sql, transaction_of(on)))
        return result

    return watch


def transaction_of(on: BaseDatabaseWrapper) -> tuple[Any, ...]:
    """The transaction's facts, asked on the raw connection (not through the wrappers)."""
    if on.vendor != "postgresql":
        return (on.alias, on.in_atomic_block)
    with on.connection.cursor() as cursor:
        cursor.execute(TRANSACTION)
        row = cursor.fetchone()
    assert row is not None
    return tuple(row)


class AnalysesReadInOneSnapshotTests(TransactionTestCase):
    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        # The snapshot's own connection to the default database (research.export.snapshot
        # names it so): Django's test case refuses a connection to an alias it was not told
        # of, and one named in `databases` must be in the settings before the class starts.
        cls.databases = {DEFAULT_DB_ALIAS, f"{DEFAULT_DB_ALIAS}-research-export"}

    def setUp(self) -> None:
        clinic = make_clinic("Northside Therapy")
        admin = make_staff(clinic, "clinic_admin", "clinic_admin")
        therapist = make_staff(clinic, "therapist_a", "therapist")
        supervisor = make_staff(clinic, "supervisor", "supervisor")
        Supervision.objects.create(supervisor=supervisor, supervisee=therapist)
        self.researcher = make_staff(clinic, "researcher", "researcher")
        for n in range(2):
            client = make_client(clinic, f"client_{n}", therapist)
            course(client, therapist, supervisor)
            consent(client)
        today = timezone.localdate()
        self.study: Study = actions.create_study(
            by=admin,
            name="Engagement and outcome",
            purpose="Does doing homework predict the next session's PHQ-9?",
            starts_on=today - timedelta(days=60),
            ends_on=today + timedelta(days=30),
            tables=list(recipe.MODEL_TABLES),
            clinics=[clinic],
        )
        actions.grant_access(self.study, self.researcher, by=admin)

    def page_reads(self) -> Seen:
        """The queries of the model's tables the analyses page ran, each with its transaction."""
        seen: Seen = []

        def on_connect(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
            connection.execute_wrappers.append(watcher(seen, connection))

        browser = Browser()
        browser.force_login(self.researcher)
        connection_created.connect(on_connect)
        try:
            with connection.execute_wrapper(watcher(seen, connection)):
                page = browser.get(f"/research/studies/{self.study.pk}/analyses/")
        finally:
            connection_created.disconnect(on_connect)
        assert page.status_code == 200
        assert b"data-model-problem" in page.content  # two clients: too few, but all read
        return seen

    def test_the_model_tables_are_read_in_one_read_only_repeatable_read_snapshot(self) -> None:
        seen = self.page_reads()
        read = " ".join(sql for sql, _ in seen)
        assert all(table in read for table in MODEL_TABLES), read
        transactions = {facts for _, facts in seen}
        assert len(transactions) == 1, transactions  # one backend, one snapshot
        (facts,) = transactions
        if connection.vendor == "postgresql":
            backend, isolation, read_only, _began, _snapshot = facts
            assert (isolation, read_only) == ("repeatable read", "on")
            # Its own connection: the request's (access events, the session) writes on.
            assert backend != transaction_of(connection)[0]
        else:
            assert facts == ("default", False)
        assert set(connections) == {"default"}  # the snapshot's connection is gone again
