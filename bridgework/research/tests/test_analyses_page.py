"""The analyses page's data and its fit: only the recipe's columns, read through the export's
own querysets; the fit kept in the cache per study and data, refitted when the data change;
pseudonymous aggregates only in the cache; an access event each time the page shows data."""

from __future__ import annotations

import pickle
import re
from dataclasses import replace
from datetime import timedelta

import pandas as pd
from django.core.cache import cache
from django.db import connection
from django.test import Client as Browser
from django.test.utils import CaptureQueriesContext

from bridgework.accounts import actions as accounts
from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.care.models import Client, Consent, TherapySession
from bridgework.research import analyses, recipe
from bridgework.research.export.context import Context
from bridgework.research.export.package import ROWS
from bridgework.research.export.tables import TABLES
from bridgework.research.tests.study_setup import DemoStudyCase, StudyCase


class DemoStudyPageTests(DemoStudyCase):
    def frame(self) -> pd.DataFrame:
        return recipe.engagement_frame(analyses.model_tables(self.study, "default"))

    def key(self) -> str:
        return analyses.cache_key(self.study.pk, self.frame())

    def test_the_recipes_columns_give_the_frame_the_whole_tables_give(self) -> None:
        ctx = Context.of(self.study, "default")
        whole = {
            name: pd.DataFrame(
                list(ROWS[name](ctx)), columns=[column.name for column in TABLES[name].columns]
            )
            for name in recipe.MODEL_TABLES
        }
        pd.testing.assert_frame_equal(self.frame(), recipe.engagement_frame(whole))

    def test_it_asks_the_database_for_the_recipes_columns_only(self) -> None:
        with CaptureQueriesContext(connection) as queries:
            tables = analyses.model_tables(self.study, "default")
        assert {name: tuple(frame.columns) for name, frame in tables.items()} == recipe.COLUMNS
        assert set(tables["measure_responses"]["instrument"]) == {recipe.SYMPTOMS}
        sql = " ".join(query["sql"] for query in queries.captured_queries)
        for unneeded in ("takeaway", "therapist_id", "instrument_version", "entered_by_id"):
            assert unneeded not in sql, unneeded
        assert len(queries.captured_queries) <= 6

    def test_the_fit_is_kept_for_the_same_data_and_the_page_shows_it(self) -> None:
        self.analyses_page()
        kept = cache.get(self.key())
        assert isinstance(kept, analyses.Fitted) and kept.model is not None
        # A fit planted under the same key is what the page shows: it is not fitted again.
        within = replace(kept.model.within, estimate=-123.456)
        cache.set(self.key(), replace(kept, model=replace(kept.model, within=within)))
        assert "-123.456" in self.analyses_page()

    def test_a_researcher_who_reads_german_reads_the_fitted_model_in_german(self) -> None:
        accounts.set_language(self.sam, "de", by=self.sam)
        page = self.analyses_page()
        sentence = page.split("<p data-model-sentence>", 1)[1].split("</p>", 1)[0]
        assert sentence.startswith("In einer Woche, in der eine Klientin oder ein Klient")
        assert "95-%-KI" in sentence and "Beobachtungsdaten" in sentence
        assert "Innerhalb der Person" in page and "Konvergiert" in page

    def test_the_german_sentence_writes_its_numbers_with_decimal_commas(self) -> None:
        accounts.set_language(self.sam, "de", by=self.sam)
        page = self.analyses_page()
        sentence = page.split("<p data-model-sentence>", 1)[1].split("</p>", 1)[0]
        assert re.search(r"\d,\d\d Punkte", sentence), sentence
        assert not re.search(r"\d\.\d", sentence), sentence

    def test_a_rescheduled_session_makes_another_key_and_a_new_fit(self) -> None:
        self.analyses_page()
        before = self.key()
        cache.set(before, analyses.Fitted(None, "planted: not fitted again"))
        session = self.last_session_in_the_model()
        care.update_session(
            session,
            starts_at=session.starts_at + timedelta(days=3),
            takeaway=session.takeaway,
            by=session.therapist,
        )
        assert self.key() != before
        page = self.analyses_page()
        assert "planted: not fitted again" not in page and "data-converged>yes<" in page

    def test_a_withdrawn_consent_makes_another_key(self) -> None:
        before = self.key()
        client = Context.of(self.study, "default").clients.first()
        assert isinstance(client, Client)
        care.set_consent(client, Consent.Purpose.RESEARCH, False, by=self.sam)
        assert self.key() != before

    def test_the_cache_keeps_aggregates_and_no_pseudonym(self) -> None:
        self.analyses_page()
        kept = pickle.dumps(cache.get(self.key()))
        for pseudonym in set(self.frame()["client"]):
            assert pseudonym.encode() not in kept
        for name in Client.objects.values_list("full_name", flat=True):
            assert name.encode() not in kept
        assert len(kept) < 5000  # a few dozen numbers and words, not rows

    def test_each_showing_records_an_analyses_event_with_its_counts(self) -> None:
        self.analyses_page()
        self.analyses_page()
        events = AccessEvent.objects.filter(object_type="study-analyses", actor_id=self.sam.pk)
        assert events.count() == 2
        event = events.last()
        assert event is not None and event.allowed
        assert (event.action, event.object_id, event.clinic_id) == (
            "view",
            str(self.study.pk),
            self.study.clinic_id,
        )
        model = analyses.engagement_on_study(self.study).model
        assert model is not None
        assert event.changes["detail"] == {
            "clients": model.clients,
            "observations": model.observations,
        }

    def last_session_in_the_model(self) -> TherapySession:
        clients = Context.of(self.study, "default").clients
        session = (
            TherapySession.objects.filter(client__in=clients, responses__isnull=False)
            .order_by("-starts_at")
            .first()
        )
        assert session is not None
        return session


class PageWithoutTheModelsTablesTests(StudyCase):
    def test_it_records_no_analyses_event_when_it_read_no_rows(self) -> None:
        study = self.make_study(tables=["clients", "prompts"])
        browser = Browser()
        browser.force_login(self.researcher)
        answer = browser.get(f"/research/studies/{study.pk}/analyses/")
        assert answer.status_code == 200
        assert "sessions, reviews, measure_responses" in answer.content.decode()
        assert not AccessEvent.objects.filter(object_type="study-analyses").exists()
        assert AccessEvent.objects.filter(object_type="study", allowed=True).exists()

    def test_an_outsider_is_refused_and_no_analyses_event_is_left(self) -> None:
        study = self.make_study(tables=list(recipe.MODEL_TABLES))
        browser = Browser()
        browser.force_login(self.therapist_a)
        assert browser.get(f"/research/studies/{study.pk}/analyses/").status_code == 404
        assert not AccessEvent.objects.filter(object_type="study-analyses").exists()
        assert AccessEvent.objects.filter(object_type="study", allowed=False).exists()
