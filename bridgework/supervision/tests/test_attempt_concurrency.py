"""Two starts of an attempt at the same moment (a double click, two tabs): one attempt is
made, with one training client; the other start is refused, since attempt 1 is not finished."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from bridgework.accounts.models import Supervision
from bridgework.care.models import Client
from bridgework.supervision import scenarios, training
from bridgework.supervision.models import Assignment, RolePlay
from bridgework.test import make_clinic, make_staff

pytestmark = pytest.mark.django_db(transaction=True)
STARTERS = 2


def test_two_simultaneous_starts_make_one_attempt() -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    supervisor = make_staff(clinic, "supervisor", "supervisor")
    Supervision.objects.create(supervisor=supervisor, supervisee=therapist)
    scenario = scenarios.get("about-a-three")
    assert scenario is not None
    assignment = training.assign(scenario=scenario, trainee=therapist, by=supervisor)
    start, results = threading.Barrier(STARTERS), []

    def start_one() -> None:
        try:
            start.wait()
            training.start_attempt(Assignment.objects.get(pk=assignment.pk), by=therapist)
            results.append("started")
        except training.TrainingRefused as refused:
            results.append(
                "unfinished" if "Finish attempt 1 first" in str(refused) else str(refused)
            )
        except Exception as error:  # anything else fails the test with its reason
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=start_one) for _ in range(STARTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["started"] + ["unfinished"] * (STARTERS - 1), results
    assert [attempt.number for attempt in RolePlay.objects.all()] == [1]
    assert Client.objects.filter(is_training=True).count() == 1
