"""The period rule: each table is as it stood at the end of the study period. A plan's
versions run from the one in force at the period's start to the last before its end, and
plans.version names the one in force at the end; a time after the end is left blank and a
status is the one in force then."""

from __future__ import annotations

from datetime import timedelta

import duckdb
import frictionless
import pandas as pd
from django.utils import timezone

from bridgework.care import actions as care
from bridgework.care.models import Client, Goal
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanRevision
from bridgework.prompts.models import Prompt, PromptEvent
from bridgework.research.tests.helpers import (
    ExportTestCase,
    agreed_plan,
    descriptor_of,
    export,
    load,
    start_of,
    study_pseudonym,
)
from bridgework.test import user_of


class PeriodRuleTests(ExportTestCase):
    """A plan agreed 30 days ago, changed 20 and 5 days ago and once more today, first seen
    by the client 20 days ago and reviewed today; the study ran from 25 to 3 days ago."""

    def setUp(self) -> None:
        super().setUp()
        self.study.starts_on, self.study.ends_on = start_of(-25), start_of(-3)
        session = self.client_a.sessions.order_by("starts_at").first()
        assert session is not None
        self.goal = care.add_goal(self.client_a, text="Ride the tram", by=self.therapist_a)
        plan = agreed_plan(self.client_a, self.therapist_a, session, self.goal)
        plans.record_seen(plan, by=user_of(self.client_a))
        for importance in (9, 7, 5):
            plan = ActionPlan.objects.get(pk=plan.pk)
            plans.save_plan(
                plan,
                by=self.therapist_a,
                version=plan.version,
                fields={"importance": importance},
                goals=[self.goal],
                obstacles=[],
            )
        plans.review(
            ActionPlan.objects.get(pk=plan.pk),
            by=self.therapist_a,
            session=None,
            answers={"done": 3, "decision": "stop"},
        )
        now, days = timezone.now(), timedelta(days=1)
        ActionPlan.objects.filter(pk=plan.pk).update(
            created_at=now - 31 * days, agreed_at=now - 30 * days
        )
        ActionPlan.objects.filter(pk=plan.pk).update(first_seen_by_client_at=now - 20 * days)
        for number, ago in ((1, 30), (2, 20), (3, 5), (4, 0)):
            PlanRevision.objects.filter(plan=plan, number=number).update(made_at=now - ago * days)
        Goal.objects.filter(pk=self.goal.pk).update(created_at=now - 30 * days)
        care.mark_goal_achieved(self.goal, True, by=self.therapist_a)
        self.plan = ActionPlan.objects.get(pk=plan.pk)
        self.plan_id = study_pseudonym(self.study, "plan", plan.pk)

    def test_the_version_in_force_at_the_start_and_every_later_one_to_the_end_are_exported(
        self,
    ) -> None:
        out, _ = export(self.study)
        versions = load(out, "plan_versions")
        mine = versions[versions["plan_id"] == self.plan_id]
        self.assertEqual(sorted(mine["version"]), [1, 2, 3])  # 1 was agreed before the start

    def test_a_plans_version_is_the_one_in_force_at_the_end(self) -> None:
        out, _ = export(self.study)
        rows = load(out, "plans")
        self.assertEqual(list(rows[rows["plan_id"] == self.plan_id]["version"]), [3])

    def test_a_plan_closed_after_the_end_is_open_then_with_its_status_at_the_end(self) -> None:
        out, _ = export(self.study, "csv")
        plan = load(out, "plans").set_index("plan_id").loc[self.plan_id]
        self.assertEqual(plan["status"], "active")  # seen 20 days ago; reviewed only today
        self.assertTrue(pd.isna(plan["closed_at"]))
        self.assertFalse(pd.isna(plan["first_seen_by_client_at"]))

    def test_a_status_the_history_cannot_tell_is_left_blank(self) -> None:
        ActionPlan.objects.filter(pk=self.plan.pk).update(first_seen_by_client_at=None)
        out, _ = export(self.study, "csv")
        plan = load(out, "plans").set_index("plan_id").loc[self.plan_id]
        # Agreed before the end, started by the therapist at an unrecorded time.
        self.assertIsNone(plan["status"])

    def test_later_times_are_left_blank_in_goals_and_clients(self) -> None:
        # No action discharges a client yet (the demo makes past clients discharged).
        Client.objects.filter(pk=self.client_a.pk).update(discharged_at=timezone.now())
        out, _ = export(self.study, "csv")
        goals = load(out, "goals").set_index("goal_id")
        goal = goals.loc[study_pseudonym(self.study, "goal", self.goal.pk)]
        self.assertTrue(pd.isna(goal["achieved_at"]))
        clients = load(out, "clients").set_index("client_id")
        me = study_pseudonym(self.study, "client", self.client_a.pk)
        self.assertTrue(pd.isna(clients.loc[me]["discharged_at"]))

    def test_a_prompt_is_in_the_state_of_its_last_event_before_the_end(self) -> None:
        prompt = Prompt.objects.filter(client=self.client_a, opened_at__isnull=False).first()
        assert prompt is not None
        Prompt.objects.filter(pk=prompt.pk).update(due_at=timezone.now() - timedelta(days=10))
        PromptEvent.objects.filter(prompt=prompt).update(at=timezone.now())
        PromptEvent.objects.create(prompt=prompt, state="sent", at=prompt.due_at)
        out, _ = export(self.study, "csv")
        row = (
            load(out, "prompts")
            .set_index("prompt_id")
            .loc[study_pseudonym(self.study, "prompt", prompt.pk)]
        )
        self.assertEqual(row["state"], "sent")  # opened only today, after the end
        self.assertTrue(pd.isna(row["opened_at"]))

    def test_plan_version_pairs_join_plan_versions_and_the_descriptor_says_so(self) -> None:
        out, _ = export(self.study)
        for table, version in (("plans", "version"), ("reviews", "plan_version")):
            with self.subTest(table=table):
                missing = (
                    duckdb.connect()
                    .execute(
                        f"""SELECT count(*) FROM '{out}/{table}.parquet' t
                    WHERE t.{version} IS NOT NULL
                    AND NOT EXISTS (SELECT 1 FROM '{out}/plan_versions.parquet' v
                                    WHERE v.plan_id = t.plan_id AND v.version = t.{version})"""
                    )
                    .fetchall()
                )
                self.assertEqual(missing, [(0,)])
        resource = next(r for r in descriptor_of(out)["resources"] if r["name"] == "reviews")
        self.assertIn(
            {
                "fields": ["plan_id", "plan_version"],
                "reference": {"resource": "plan_versions", "fields": ["plan_id", "version"]},
            },
            resource["schema"]["foreignKeys"],
        )

    def test_the_csv_package_with_plan_version_keys_validates(self) -> None:
        out, _ = export(self.study, "csv")
        report = frictionless.validate(out / "datapackage.json")
        self.assertTrue(report.valid, report.flatten(["title", "message"])[:5])


class ReviewedVersionTests(ExportTestCase):
    def test_a_review_names_the_version_in_force_when_it_was_reviewed(self) -> None:
        PlanRevision.objects.filter(plan=self.plan_a).update(
            made_at=timezone.now() - timedelta(days=3)
        )
        PlanRevision.objects.create(
            plan=self.plan_a, number=2, made_by=self.therapist_a, snapshot={}, note="later"
        )
        out, _ = export(self.study)
        reviews = load(out, "reviews")
        mine = reviews[reviews["plan_id"] == study_pseudonym(self.study, "plan", self.plan_a.pk)]
        self.assertEqual(list(mine["plan_version"]), [1])
