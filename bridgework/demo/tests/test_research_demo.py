from __future__ import annotations

import tempfile
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pandas as pd
from django.core.management import call_command
from django.db.models import Count, Max, Min, QuerySet
from django.test import Client as DjangoTestClient
from django.test import TestCase, override_settings
from django.utils import timezone

from bridgework.accounts.models import Clinic, User
from bridgework.care.models import Client, Consent
from bridgework.demo import cohort
from bridgework.measures.models import Flag, Response
from bridgework.plans.actions import snapshot
from bridgework.plans.models import ActionPlan, Review
from bridgework.practice.models import CheckIn, PracticeLog
from bridgework.prompts.models import Prompt, Purpose, Schedule
from bridgework.prompts.states import PENDING
from bridgework.prompts.states import WAITING_FOR_ANSWER as WAITING
from bridgework.research.export.package import write_package
from bridgework.research.export.tables import TABLES
from bridgework.research.models import Export, Study, StudyAccess


class DemoStudyTests(TestCase):
    clinic: Clinic
    cohort: QuerySet[Client]
    study: Study

    @classmethod
    def setUpTestData(cls) -> None:
        call_command("seed_demo", stdout=StringIO())
        cls.clinic = Clinic.objects.get(is_demo=True)
        cls.cohort = Client.objects.filter(clinic=cls.clinic, discharged_at__isnull=False)
        cls.study = Study.objects.get(clinic=cls.clinic)

    def test_the_demo_clinic_has_its_study_over_the_last_twelve_months(self) -> None:
        today = timezone.localdate()
        assert self.study.name == "Engagement and outcome in action plans"
        assert abs((self.study.ends_on - today).days) <= 1
        assert (self.study.ends_on - self.study.starts_on).days == 365
        assert list(self.study.clinics.all()) == [self.clinic]
        assert self.study.tables == list(TABLES)
        assert not self.study.include_free_text
        assert self.study.shift_dates

    def test_sam_the_researcher_has_open_access_to_it(self) -> None:
        sam = User.objects.get(email="sam@demo.bridgework.test")
        assert sam.is_researcher
        access = StudyAccess.objects.get(study=self.study, revoked_at=None)
        assert access.researcher == sam

    def test_a_cohort_of_past_clients_was_treated_over_the_last_year(self) -> None:
        assert self.cohort.count() == cohort.COHORT_SIZE
        now = timezone.now()
        span = self.cohort.aggregate(
            first=Min("sessions__starts_at"), last=Max("sessions__starts_at")
        )
        assert span["first"] >= now - timedelta(days=365)
        assert span["first"] <= now - timedelta(days=300)  # the year is covered, not a corner
        assert span["last"] <= now - timedelta(days=7)
        assert not self.cohort.filter(discharged_at__gte=now).exists()
        lengths = [c.n for c in self.cohort.annotate(n=Count("sessions"))]
        assert min(lengths) >= 4 and max(lengths) <= 16
        assert sum(8 <= n <= 16 for n in lengths) >= 0.7 * len(lengths)  # the rest dropped out

    def test_every_past_client_consented_to_research_and_its_consent_is_open(self) -> None:
        open_consents = Consent.objects.filter(
            client__in=self.cohort, purpose=Consent.Purpose.RESEARCH, withdrawn_at=None
        )
        assert open_consents.count() == self.cohort.count()

    def test_each_session_has_its_questionnaires_and_each_plan_its_practice_and_review(
        self,
    ) -> None:
        for client in self.cohort[:5]:
            sessions = client.sessions.count()
            phq9 = Response.objects.filter(client=client, instrument__slug="phq-9")
            assert (
                phq9.count()
                == sessions
                == client.responses.filter(instrument__slug="gad-7").count()
            )
            assert not phq9.exclude(session__isnull=False).exists()
            plans = ActionPlan.objects.filter(client=client)
            assert plans.count() >= sessions - 1
            reviews = Review.objects.filter(plan__client=client)
            assert reviews.count() >= sessions - 2
            assert all(0 <= done <= 4 for done in reviews.values_list("done", flat=True))
            assert not reviews.filter(response__isnull=True).exists()
        ratings = PracticeLog.objects.filter(client__in=self.cohort).values_list(
            "entries", flat=True
        )
        assert len(ratings) > 10 * cohort.COHORT_SIZE
        assert all(0 <= entry["how_it_went"] <= 100 for entry in ratings)

    def test_a_plans_revision_says_what_plans_own_snapshot_would(self) -> None:
        plan = ActionPlan.objects.filter(client__in=self.cohort, replaces__isnull=False).first()
        assert plan is not None
        assert plan.revisions.get().snapshot == snapshot(plan)

    def test_the_cohort_leaves_todays_caseload_reminders_and_flags_alone(self) -> None:
        priya = User.objects.get(email="priya@demo.bridgework.test")
        browser = DjangoTestClient()
        browser.force_login(priya)
        page = browser.get("/clients/").content.decode()
        assert "Jordan Ellis" in page
        assert not any(client.full_name in page for client in self.cohort)
        # Their reminders ended with their plans (or at discharge): nothing left to send.
        schedules = Schedule.objects.filter(client__in=self.cohort)
        assert schedules.exists()
        assert not schedules.filter(ended_at=None).exists()
        waiting = Prompt.objects.filter(client__in=self.cohort, state__in=[*PENDING, *WAITING])
        assert not waiting.exists()
        assert not Flag.objects.filter(client__in=self.cohort).exists()
        assert not User.objects.filter(client_record__in=self.cohort, is_active=True).exists()

    def test_clients_who_practised_more_than_usual_felt_better_at_the_next_session(self) -> None:
        # The planted within-client relation, seen without a model: after an above-usual
        # week the next PHQ-9 is lower, on average, than after a below-usual one.
        above: list[int] = []
        below: list[int] = []
        for client in self.cohort:
            reviews = list(Review.objects.filter(plan__client=client).select_related("session"))
            mean = sum(r.done for r in reviews) / len(reviews)
            for r in reviews:
                phq = Response.objects.get(session=r.session, instrument__slug="phq-9")
                (above if r.done > mean else below).append(phq.scores["total"]["value"])
        assert sum(above) / len(above) < sum(below) / len(below)

    def test_practice_logged_from_a_reminder_answers_its_prompt_as_the_app_links_them(
        self,
    ) -> None:
        linked = PracticeLog.objects.filter(client__in=self.cohort, prompt__isnull=False)
        assert linked.count() > 5 * cohort.COHORT_SIZE
        for log in linked.select_related("prompt")[:200]:
            prompt = log.prompt
            assert prompt is not None
            assert (prompt.client_id, prompt.plan_id) == (log.client_id, log.plan_id)
            assert prompt.state == Prompt.State.ANSWERED
            assert prompt.answered_at == log.received_at
            assert prompt.due_at < log.practiced_at < prompt.expires_at
            steps = list(prompt.events.values_list("state", flat=True))
            assert steps == ["scheduled", "delivered", "opened", "answered"]
        answered = Prompt.objects.filter(client__in=self.cohort, state=Prompt.State.ANSWERED)
        assert answered.count() == linked.count()  # none answered without its log

    def test_a_check_in_given_from_a_reminder_answers_its_prompt_as_the_app_links_them(
        self,
    ) -> None:
        linked = CheckIn.objects.filter(client__clinic=self.clinic, prompt__isnull=False)
        with_scales = Client.objects.filter(clinic=self.clinic, check_in_scales__isnull=False)
        assert linked.count() > 10 * with_scales.distinct().count() > 0
        for check_in in linked.select_related("prompt"):
            prompt = check_in.prompt
            assert prompt is not None
            assert prompt.client_id == check_in.client_id
            assert (prompt.purpose, prompt.state) == (Purpose.CHECK_IN, Prompt.State.ANSWERED)
            assert prompt.answered_at == check_in.answered_at == check_in.received_at
            assert prompt.due_at < check_in.answered_at < prompt.expires_at
            steps = list(prompt.events.values_list("state", flat=True))
            assert steps == ["scheduled", "delivered", "opened", "answered"]
        answered = Prompt.objects.filter(
            client__clinic=self.clinic, purpose=Purpose.CHECK_IN, state=Prompt.State.ANSWERED
        )
        assert answered.count() == linked.count()  # none answered without its check-in
        # and some check-ins the clients gave of their own accord, with no reminder
        assert CheckIn.objects.filter(client__clinic=self.clinic, prompt=None).exists()

    def test_the_cohorts_unanswered_reminders_expired_or_were_cancelled_with_their_plan(
        self,
    ) -> None:
        prompts = Prompt.objects.filter(client__in=self.cohort)
        states = set(prompts.values_list("state", flat=True))
        assert states == {"answered", "expired", "cancelled"}
        assert prompts.filter(state="expired", opened_at__isnull=False).exists()
        for prompt in prompts.filter(state="cancelled").select_related("schedule")[:50]:
            assert prompt.schedule.ended_at is not None
            assert prompt.due_at >= prompt.schedule.ended_at
            assert prompt.sent_at is None

    def test_the_studys_prompts_join_its_practice_logs(self) -> None:
        out = Path(self.enterContext(tempfile.TemporaryDirectory()))
        write_package(self.study, fmt="parquet", out_dir=out, tables=["prompts", "practice_logs"])
        prompts = pd.read_parquet(out / "prompts.parquet")
        logs = pd.read_parquet(out / "practice_logs.parquet")
        joined = prompts.merge(logs, on="prompt_id", suffixes=("", "_log"))
        assert len(joined) > 5 * cohort.COHORT_SIZE
        assert (joined["state"] == "answered").all()
        assert (joined["plan_id"] == joined["plan_id_log"]).all()
        # Every prompt a practice log names is in the prompts file.
        named = logs["prompt_id"].dropna()
        assert named.isin(prompts["prompt_id"]).all()
        assert len(named) == len(joined)

    def test_the_studys_prompts_join_its_check_ins(self) -> None:
        out = Path(self.enterContext(tempfile.TemporaryDirectory()))
        write_package(self.study, fmt="parquet", out_dir=out, tables=["prompts", "checkins"])
        prompts = pd.read_parquet(out / "prompts.parquet")
        check_ins = pd.read_parquet(out / "checkins.parquet")
        joined = prompts.merge(check_ins, on="prompt_id", suffixes=("", "_check_in"))
        assert len(joined) > 10
        assert (joined["state"] == "answered").all()
        assert (joined["purpose"] == "check-in").all()
        assert (joined["client_id"] == joined["client_id_check_in"]).all()
        named = check_ins["prompt_id"].dropna()
        assert named.isin(prompts["prompt_id"]).all()
        assert len(named) == len(joined)


@override_settings(RESEARCH_EXPORT_DIR=Path("var/test-exports"))
class DemoResetTests(TestCase):
    def test_seeding_again_takes_away_the_old_studies_their_accesses_and_export_files(self) -> None:
        call_command("seed_demo", stdout=StringIO())
        study = Study.objects.get()
        folder = Path("var/test-exports")
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "demo-export.zip").write_bytes(b"zip")
        Export.objects.create(study=study, format="csv", state="ready", file_name="demo-export.zip")
        with self.captureOnCommitCallbacks(execute=True):
            call_command("seed_demo", stdout=StringIO())
        assert not Study.objects.filter(pk=study.pk).exists()
        assert Study.objects.count() == 1
        assert Export.objects.count() == 0
        assert StudyAccess.objects.filter(revoked_at=None).count() == 1
        assert not (folder / "demo-export.zip").exists()
