"""Two submissions of one rating at the same moment (a double click, two tabs): one is
submitted, the other refused; the rating's state changes once, with one audit row."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from bridgework.accounts.models import Supervision
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.supervision import actions
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.tests.helpers import every_item, shipped_scale
from bridgework.test import make_client, make_clinic, make_staff

pytestmark = pytest.mark.django_db(transaction=True)
SUBMITTERS = 4


def test_simultaneous_submissions_of_one_rating_submit_it_once() -> None:
    clinic = make_clinic("Northside Therapy")
    therapist = make_staff(clinic, "therapist_a", "therapist")
    supervisor = make_staff(clinic, "supervisor", "supervisor")
    Supervision.objects.create(supervisor=supervisor, supervisee=therapist)
    client = make_client(clinic, "robin_ash", therapist)
    session = care.add_session(
        client, therapist=therapist, by=therapist, starts_at=timezone.now() - timedelta(days=1)
    )
    scale = shipped_scale()
    rating = actions.start_rating(session, scale, by=supervisor)
    actions.save_draft(rating, answers=every_item(scale), comments={}, comment="", by=supervisor)
    start, results = threading.Barrier(SUBMITTERS), []

    def submit() -> None:
        try:
            start.wait()
            actions.submit(CompetenceRating.objects.get(pk=rating.pk), by=supervisor)
            results.append("submitted")
        except actions.RatingRefused as refused:
            results.append("final" if "is final" in str(refused) else str(refused))
        except Exception as error:  # anything else fails the test with its reason
            results.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=submit) for _ in range(SUBMITTERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == ["final"] * (SUBMITTERS - 1) + ["submitted"], results
    changes = AccessEvent.objects.filter(
        object_type="competence-rating", object_id=str(rating.pk), action="change"
    )
    submissions = [e for e in changes if "state" in e.changes.get("values", {})]
    assert len(submissions) == 1
