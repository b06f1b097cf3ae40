"""The same entry arriving twice at the same moment (a retry racing the first try) is stored
once: the unique uid decides, not a look-up before the insert."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import pytest
from django.db import connection

from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.practice import actions, worksheets
from bridgework.practice.models import PracticeLog
from bridgework.test import make_client, make_clinic, make_staff, user_of

pytestmark = pytest.mark.django_db(transaction=True)
SENDERS = 4


def test_simultaneous_sends_of_one_entry_make_one_row() -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    client = make_client(clinic, "robin_ash", therapist)
    plan = plans.agree(
        plans.start_plan(client, by=therapist, template=PlanTemplate.objects.first()), by=therapist
    )
    uid, start = uuid.uuid4(), threading.Barrier(SENDERS)
    results: list[Any] = []

    def send() -> None:
        try:
            start.wait()
            saved = actions.log_practice(
                client,
                by=user_of(client),
                uid=uid,
                plan=plan,
                outcome="done",
                sheet=worksheets.current("quick"),
                entries={"how_it_went": 50},
            )
            results.append(saved.created)
        except Exception as error:
            results.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results, key=str) == [False] * (SENDERS - 1) + [True], results
    assert PracticeLog.objects.filter(uid=uid).count() == 1
