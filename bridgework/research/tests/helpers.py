"""The research tests' cast: the standard cast with a course of care for clients A and B
(sessions, a goal, an agreed plan with obstacles, prompts, a practice log, a check-in, a
review, a questionnaire, a flag and a competence rating), all made through the apps'
actions; client A and B consent to research, client C consented and withdrew, a training
client and the other clinic's client consented but are never in the study."""

from __future__ import annotations

import json
import math
import tempfile
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.care import actions as care
from bridgework.care.models import Client, Consent, TherapySession
from bridgework.measures import actions as measures
from bridgework.measures.models import Instrument
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.prompts import schedules, steps
from bridgework.prompts.models import Prompt
from bridgework.research.export.package import PackageResult, write_package
from bridgework.research.export.pseudonyms import Pseudonyms
from bridgework.research.export.tables import TABLES
from bridgework.research.models import Study
from bridgework.supervision import actions as supervision
from bridgework.supervision.scales import SHIPPED
from bridgework.test import BaseTestCase, make_client, user_of

TAKEAWAY = "Avoiding keeps the fear going, said Client A"
NOTE = "Went to the shop with my sister"
GOAL = "Take the bus to work again"


def consent(client: Client, given: bool = True) -> None:
    care.set_consent(client, Consent.Purpose.RESEARCH, given, by=user_of(client))


def course(client: Client, therapist: User, rater: User) -> ActionPlan:
    """Two past sessions and one to come; a plan set in the first and reviewed in the second,
    with everything the client did in between."""
    now = timezone.now()
    first, second, _next = (
        care.add_session(
            client,
            therapist=therapist,
            starts_at=now + timedelta(days=d),
            by=therapist,
            takeaway=TAKEAWAY if d == -14 else "",
        )
        for d in (-14, -7, 7)
    )
    goal = care.add_goal(client, text=GOAL, by=therapist)
    plan = agreed_plan(client, therapist, first, goal)
    prompt = answered_prompt(client, therapist, plan, days_ago=10)
    practice.log_practice(
        client,
        by=user_of(client),
        uid=uuid.uuid4(),
        plan=plan,
        outcome="partly",
        sheet=worksheets.current("exposure-log"),
        entries={
            "situation": "The bus at rush hour",
            "distress_before": 70,
            "distress_peak": 85,
            "series": [{"minute": 0, "distress": 70}, {"minute": 5, "distress": 60}],
        },
        practiced_at=now - timedelta(days=10),
        duration_minutes=20,
        note=NOTE,
        prompt=prompt.pk,
    )
    scale = practice.add_scale(
        client, by=therapist, name="anxiety", low_anchor="none", high_anchor="extreme"
    )
    practice.check_in(
        client,
        by=user_of(client),
        uid=uuid.uuid4(),
        ratings={scale.pk: 55},
        answered_at=now - timedelta(days=9),
        prompt=answered_prompt(client, therapist, None, days_ago=9).pk,
    )
    plans.review(
        plan,
        by=therapist,
        session=second,
        answers={
            "done": 2,
            "decision": "modify",
            "difficulty": 6,
            "how-it-went": "Got off two stops early",
            "progress": 5,
        },
    )
    phq9 = measures.current("phq-9", None)
    assert phq9 is not None
    _response, _flags = measures.respond(
        client,
        phq9,
        {str(n): 2 for n in range(1, 10)} | {"9": 1},
        by=therapist,
        session=second,
        completed_at=second.starts_at - timedelta(hours=1),
    )
    rating = supervision.start_rating(
        second, Instrument.objects.get(slug=SHIPPED, clinic=None, retired_at=None), by=rater
    )
    items = {item["linkId"]: 4 for item in rating.instrument.definition["item"]}
    supervision.save_and_submit(
        rating, answers=items, comments={}, comment="Good work with the plan", by=rater
    )
    return plan


def agreed_plan(client: Client, therapist: User, session: TherapySession, goal: Any) -> ActionPlan:
    draft = plans.start_plan(
        client,
        by=therapist,
        template=PlanTemplate.objects.get(slug="exposure-step-up-the-ladder", clinic=None),
    )
    draft.set_in_session = session
    draft.save(update_fields=["set_in_session"])
    plans.save_plan(
        draft,
        by=therapist,
        version=draft.version,
        fields={"importance": 8, "confidence": 6},
        goals=[goal],
        obstacles=draft.template.obstacles if draft.template else [],
    )
    return plans.agree(ActionPlan.objects.get(pk=draft.pk), by=therapist)


def answered_prompt(
    client: Client, therapist: User, plan: ActionPlan | None, *, days_ago: int
) -> Prompt:
    """A prompt of a new schedule (practice for a plan, else check-ins), brought forward to
    `days_ago` and sent then; the client has opened it."""
    schedule = schedules.set_schedule(
        client,
        by=therapist,
        purpose="practice" if plan else "check-in",
        plan=plan,
        rule={"kind": "fixed", "times": ["07:00", "19:00"]},
        channels=[],
    )
    prompt = Prompt.objects.filter(schedule=schedule).order_by("due_at").first()
    assert prompt is not None
    due = timezone.now() - timedelta(days=days_ago, hours=1)
    Prompt.objects.filter(pk=prompt.pk).update(
        due_at=due, next_attempt_at=due, state=Prompt.State.SENT, sent_at=due
    )
    prompt.refresh_from_db()
    return steps.mark_opened(prompt, by=user_of(client))


class ExportTestCase(BaseTestCase):
    study: Study
    client_c: Client
    trainee_client: Client
    plan_a: ActionPlan

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.client_c = make_client(cls.clinic, "client_c", cls.therapist_a)
        cls.trainee_client = make_client(cls.clinic, "role_play_client", cls.therapist_a)
        Client.objects.filter(pk=cls.trainee_client.pk).update(is_training=True)
        cls.trainee_client.refresh_from_db()
        cls.plan_a = course(cls.client_a, cls.therapist_a, cls.supervisor)
        course(cls.client_b, cls.therapist_b, cls.therapist_b)
        course(cls.client_c, cls.therapist_a, cls.supervisor)
        for client in (
            cls.client_a,
            cls.client_b,
            cls.client_c,
            cls.trainee_client,
            cls.other_client,
        ):
            consent(client)
        consent(cls.client_c, given=False)
        cls.study = cls.make_study()

    @classmethod
    def make_study(cls, **fields: Any) -> Study:
        today = timezone.localdate()
        fields = {
            "clinic": cls.clinic,
            "name": "Engagement and outcome",
            "purpose": "Does doing homework predict the next session's PHQ-9?",
            "starts_on": today - timedelta(days=60),
            "ends_on": today + timedelta(days=60),
            "tables": list(TABLES),
            "created_by": cls.admin,
        } | fields
        study = Study.objects.create(**fields)
        study.clinics.set([cls.clinic])
        return study


def start_of(days: int) -> date:
    return timezone.localdate() + timedelta(days=days)


def files_in(out_dir: Path) -> list[str]:
    return sorted(path.name for path in out_dir.iterdir())


def study_pseudonym(study: Study, kind: str, pk: object) -> str:
    return Pseudonyms(study.pseudonym_key).of(kind, pk)


def export(study: Study, fmt: str = "parquet", **options: Any) -> tuple[Path, PackageResult]:
    """The study exported into a new temporary folder (removed with the test run's /tmp)."""
    out = Path(tempfile.mkdtemp(prefix=f"bw-export-{fmt}-"))
    return out, write_package(study, fmt=fmt, out_dir=out, **options)


def descriptor_of(out: Path) -> dict[str, Any]:
    return dict(json.loads((out / "datapackage.json").read_text(encoding="utf-8")))


def load(out: Path, name: str) -> pd.DataFrame:
    """A table of a package as pandas reads it, in either format, with the codebook's types:
    so a CSV and a Parquet export of the same data give equal frames."""
    resource = next(r for r in descriptor_of(out)["resources"] if r["name"] == name)
    path = out / resource["path"]
    fields = resource["schema"]["fields"]
    if resource["format"] == "csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    else:
        frame = pd.read_parquet(path)
    return pd.DataFrame({f["name"]: typed(frame[f["name"]], f["type"]) for f in fields})


def typed(column: pd.Series, kind: str) -> pd.Series:
    values = [
        None
        if value is None
        or value == ""
        or value is pd.NaT
        or (isinstance(value, float) and math.isnan(value))
        else value
        for value in column.tolist()
    ]
    if kind == "integer":
        return pd.Series([None if v is None else int(v) for v in values], dtype="Int64")
    if kind == "number":
        return pd.Series([None if v is None else float(v) for v in values], dtype="Float64")
    if kind == "boolean":
        return pd.Series(
            [None if v is None else v in (True, "true") for v in values], dtype="boolean"
        )
    if kind == "datetime":
        return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), utc=True)).dt.as_unit("s")
    return pd.Series(values, dtype=object)
