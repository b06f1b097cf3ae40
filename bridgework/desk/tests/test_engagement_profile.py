"""The engagement profile on the client page and the agenda, and its rows as a CSV download:
a hand-worked case, missing answers said in words, the export audited, a fixed cost."""

from __future__ import annotations

import csv
import io
import re
import uuid
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation

from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.care.models import TherapySession
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate, Review
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.practice.engagement_rows import CODEBOOK, NAMES, codebook_rows
from bridgework.test import BaseTestCase, user_of

DOCS = Path(__file__).resolve().parents[3] / "docs" / "engagement.md"


class Cells(HTMLParser):
    """The text of each row of one table (by id), header cells and data cells alike."""

    def __init__(self, table_id: str) -> None:
        super().__init__()
        self.table_id, self.inside, self.depth = table_id, False, 0
        self.rows: list[list[str]] = []
        self.cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table" and ("id", self.table_id) in attrs:
            self.inside = True
        elif self.inside and tag == "tr":
            self.rows.append([])
        elif self.inside and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            self.inside = False
        elif self.inside and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)


def table(page: str, table_id: str) -> list[list[str]]:
    parser = Cells(table_id)
    parser.feed(page)
    return parser.rows


class HandWorkedCase(BaseTestCase):
    """Client A's two plans, set in session 1 (day 0) and reviewed in sessions 2 (day 7) and 3
    (day 14); day 0 is 30 days ago. A draft (plan 3) is never profiled.

    Plan 1, an exposure (exposure log: it does not ask what was learned):
      day 1 done; day 2 partly ("bus late"); day 3 not done ("too tired");
      review 1 (session 2): done 2, difficulty 7, rationale 8, fit 9, distress 60, practical
        and beliefs texts, continue;
      day 9 done; day 10 something else;
      review 2 (session 3): done 3, difficulty 4, stop — nothing else answered.
    Plan 2, a behavioural experiment (its worksheet asks what was learned):
      day 8 done, learned written; day 11 done, learned left empty; day 12 a quick entry
        without an outcome ("ill");
      review 1 (session 3): done 1, difficulty 9, rationale 3, fit 5, distress 80, progress 2,
        feelings text, learned text, continue (so the plan stays open);
      day 16 partly, learned left empty.

    By hand, plan 1 × period 1: entries done 1, partly 1, not done 1, something else 0, no
    outcome 0, obstacles noted 2, learned asked 0, learned 0; the review's answers as given;
    practical and beliefs named, feelings not; learned at review false (no text).
    Plan 1 × period 2: done 1, something else 1, the rest 0; done 3, difficulty 4, and
    rationale / fit / distress / progress empty (not asked); nothing named; stop. The plan is
    closed and nothing came after: no open period.
    Plan 2 × period 1: done 2, no outcome 1, obstacles noted 1, learned asked 2 (the two
    experiment entries; the quick one does not ask), learned 1; the review as given; feelings
    named only; learned at review true.
    Plan 2 × period 2, open: partly 1, learned asked 1, learned 0; reviewed false and every
    review column empty.
    Per plan (the page's rows): plan 1 — 5 entries: 2 done, 1 partly, 1 not done, 1 something
    else; 2 reviews; last review done "3 · most of it", difficulty 4, the other scales "not
    asked"; none named, obstacles noted in 2 entries; learned "not asked" (no review wrote any,
    no entry asks). Plan 2 — 4 entries: 2 done, 1 partly, 1 no outcome; 1 review; done "1 · a
    little", difficulty 9, rationale 3, fit 5, distress 80; feelings, obstacles noted in 1
    entry; learned "yes (at 1 of 1 reviews, in 1 of 3 entries)".
    Over time (reviewed periods, oldest first): plan 1 period 1 (day 7, session 2), plan 1
    period 2 (day 14, session 3), plan 2 period 1 (day 14, session 3).
    """

    day0: datetime
    sessions: list[TherapySession]
    exposure: ActionPlan
    experiment: ActionPlan

    def on_day(self, day: int) -> datetime:
        return self.day0 + timedelta(days=day)

    def log(
        self, plan: ActionPlan, day: int, outcome: str, sheet: str = "quick", **more: Any
    ) -> None:
        entries = more.pop("entries", {})
        practice.log_practice(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            plan=plan,
            outcome=outcome,
            sheet=worksheets.get(sheet, 1),
            entries=entries,
            practiced_at=self.on_day(day),
            **more,
        )

    def review(self, plan: ActionPlan, session: int, day: int, answers: dict[str, Any]) -> None:
        plans.review(plan, by=self.therapist_a, session=self.sessions[session - 1], answers=answers)
        # The clock: a review is made now; the case needs it on its session's day.
        latest = Review.objects.filter(plan=plan).order_by("-id").first()
        assert latest is not None
        Review.objects.filter(pk=latest.pk).update(reviewed_at=self.on_day(day))

    def agreed(self, slug: str) -> ActionPlan:
        template = PlanTemplate.objects.get(slug=slug)
        draft = plans.start_plan(self.client_a, by=self.therapist_a, template=template)
        if draft.reminders["rule"]["kind"] == "relative":
            # Agreed here a month after its session, "once, after the session" would be long
            # past, and is refused: this case agrees the experiment with no reminders.
            ActionPlan.objects.filter(pk=draft.pk).update(reminders={})
            draft.refresh_from_db()
        plan = plans.agree(draft, by=self.therapist_a)
        ActionPlan.objects.filter(pk=plan.pk).update(agreed_at=self.day0, created_at=self.day0)
        return plan

    def setUp(self) -> None:
        self.day0 = timezone.now().replace(microsecond=0) - timedelta(days=30)
        self.sessions = [
            care.add_session(
                self.client_a, therapist=self.therapist_a, by=self.therapist_a, starts_at=when
            )
            for when in (self.on_day(0), self.on_day(7), self.on_day(14))
        ]
        self.exposure = self.agreed("exposure-step-up-the-ladder")
        self.experiment = self.agreed("behavioural-experiment-test-a-prediction")
        plans.start_plan(self.client_a, by=self.therapist_a)  # a draft: never profiled
        exposure = {"situation": "Bus", "distress_before": 70}
        self.log(self.exposure, 1, "done", "exposure-log", entries=exposure)
        self.log(
            self.exposure, 2, "partly", "exposure-log", entries=exposure, obstacles_note="bus late"
        )
        self.log(self.exposure, 3, "not-done", obstacles_note="too tired")
        self.review(
            self.exposure,
            session=2,
            day=7,
            answers={
                "done": 2,
                "difficulty": 7,
                "rationale-sense": 8,
                "goal-fit": 9,
                "distress": 60,
                "practical-obstacles": "The timetable",
                "beliefs": "I'll panic",
                "decision": "continue",
            },
        )
        self.log(self.exposure, 9, "done")
        self.log(self.exposure, 10, "something-else")
        self.review(
            self.exposure,
            session=3,
            day=14,
            answers={"done": 3, "difficulty": 4, "decision": "stop"},
        )
        experiment = {"belief": "They will stare", "belief_before": 80, "prediction": "Stares"}
        learned = experiment | {"learned": "Nobody looked up"}
        self.log(self.experiment, 8, "done", "behavioural-experiment", entries=learned)
        self.log(self.experiment, 11, "done", "behavioural-experiment", entries=experiment)
        self.log(self.experiment, 12, "", obstacles_note="ill")
        self.review(
            self.experiment,
            session=3,
            day=14,
            answers={
                "done": 1,
                "difficulty": 9,
                "rationale-sense": 3,
                "goal-fit": 5,
                "distress": 80,
                "progress": 2,
                "emotional-obstacles": "Shame",
                "learned": "Smaller steps",
                "decision": "continue",
            },
        )
        self.log(self.experiment, 16, "partly", "behavioural-experiment", entries=experiment)
        self.exposure.refresh_from_db()
        self.experiment.refresh_from_db()

    def download(self) -> list[dict[str, str]]:
        response = self.client.get(f"/clients/{self.client_a.pk}/engagement.csv")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8")
        reader = csv.DictReader(io.StringIO(response.content.decode()))
        self.assertEqual(tuple(reader.fieldnames or ()), NAMES)
        return list(reader)


class ProfileRowsTests(HandWorkedCase):
    def test_every_cell_of_the_rows_is_the_one_worked_out_by_hand(self) -> None:
        self.sign_in(self.therapist_a)
        rows = self.download()

        def utc(day: int) -> str:
            return self.on_day(day).astimezone(UTC).isoformat()

        common = {"entries_no_outcome": "0", "entries_learned_asked": "0", "entries_learned": "0"}
        exposure = {"plan_id": str(self.exposure.pk), "plan_kind": "exposure-in-vivo"}
        exposure |= {"plan_version": str(self.exposure.version)}
        experiment = {"plan_id": str(self.experiment.pk), "plan_kind": "behavioural-experiment"}
        experiment |= {"plan_version": str(self.experiment.version)}
        expected = [
            exposure | common | {
                "period": "1", "period_start": utc(0), "period_end": utc(7), "reviewed": "true",
                "review_session": "2", "instrument_version": "1.0",
                "entries_done": "1", "entries_partly": "1", "entries_not_done": "1",
                "entries_something_else": "0", "entries_obstacles_noted": "2",
                "done": "2", "difficulty": "7", "rationale_sense": "8", "goal_fit": "9",
                "distress": "60", "progress": "",
                "named_practical": "true", "named_feelings": "false", "named_beliefs": "true",
                "learned_at_review": "false", "decision": "continue",
            },
            exposure | common | {
                "period": "2", "period_start": utc(7), "period_end": utc(14), "reviewed": "true",
                "review_session": "3", "instrument_version": "1.0",
                "entries_done": "1", "entries_partly": "0", "entries_not_done": "0",
                "entries_something_else": "1", "entries_obstacles_noted": "0",
                "done": "3", "difficulty": "4", "rationale_sense": "", "goal_fit": "",
                "distress": "", "progress": "",
                "named_practical": "false", "named_feelings": "false", "named_beliefs": "false",
                "learned_at_review": "false", "decision": "stop",
            },
            experiment | {
                "period": "1", "period_start": utc(0), "period_end": utc(14), "reviewed": "true",
                "review_session": "3", "instrument_version": "1.0",
                "entries_done": "2", "entries_partly": "0", "entries_not_done": "0",
                "entries_something_else": "0", "entries_no_outcome": "1",
                "entries_obstacles_noted": "1", "entries_learned_asked": "2",
                "entries_learned": "1",
                "done": "1", "difficulty": "9", "rationale_sense": "3", "goal_fit": "5",
                "distress": "80", "progress": "2",
                "named_practical": "false", "named_feelings": "true", "named_beliefs": "false",
                "learned_at_review": "true", "decision": "continue",
            },
            experiment | {
                "period": "2", "period_start": utc(14), "period_end": "", "reviewed": "false",
                "review_session": "", "instrument_version": "",
                "entries_done": "0", "entries_partly": "1", "entries_not_done": "0",
                "entries_something_else": "0", "entries_no_outcome": "0",
                "entries_obstacles_noted": "0", "entries_learned_asked": "1",
                "entries_learned": "0",
                "done": "", "difficulty": "", "rationale_sense": "", "goal_fit": "",
                "distress": "", "progress": "",
                "named_practical": "", "named_feelings": "", "named_beliefs": "",
                "learned_at_review": "", "decision": "",
            },
        ]  # fmt: skip
        self.assertEqual(rows, expected)

    def test_the_download_is_recorded_as_an_export_of_the_client(self) -> None:
        self.sign_in(self.supervisor)
        self.download()
        event = AccessEvent.objects.filter(action="export").get()
        self.assertEqual(
            (event.actor_id, event.actor_role, event.client_id, event.object_type),
            (self.supervisor.pk, "supervisor", self.client_a.pk, "engagement"),
        )

    def test_its_columns_are_the_codebook_and_the_codebook_is_documented(self) -> None:
        self.assertEqual(NAMES, tuple(column.name for column in CODEBOOK))
        for column in CODEBOOK:
            with self.subTest(column=column.name):
                self.assertIn(column.type, ("integer", "string", "boolean", "datetime"))
                self.assertTrue((column.codes or column.allowed) and column.meaning)
                self.assertTrue(column.source)
        documented = re.findall(r"^\| `(\w+)` \|", DOCS.read_text(), re.MULTILINE)
        self.assertEqual(tuple(documented), NAMES)

    def test_the_codebook_is_shown_in_the_readers_language_its_codes_as_the_csv_has_them(
        self,
    ) -> None:
        with translation.override("de"):
            rows = {row["name"]: row for row in codebook_rows()}
            decision, done = rows["decision"], rows["done"]
            self.assertEqual(str(decision["meaning"]), "was die Besprechung entschied")
            self.assertEqual(str(done["type_words"]), "Ganzzahl")
            self.assertEqual(str(done["unit"]), "Punkte")
            self.assertTrue(str(done["allowed"]).startswith("0 gar nicht, 1 ein wenig"))
        self.assertEqual(decision["codes"], ("continue", "modify", "stop"))
        self.assertEqual(rows["reviewed"]["codes"], ("true", "false"))
        with translation.override("en"):
            self.assertEqual(str(rows["decision"]["meaning"]), "what the review decided")

    def test_the_client_cannot_download_their_profile_nor_can_another_therapist(self) -> None:
        for person in (self.client_a, self.therapist_b, self.other_therapist):
            with self.subTest(person=str(person)):
                self.sign_in(person)
                response = self.client.get(f"/clients/{self.client_a.pk}/engagement.csv")
                self.assertEqual(response.status_code, 404)

    def test_the_download_costs_the_same_queries_for_two_plans_or_six(self) -> None:
        self.sign_in(self.therapist_a)
        self.download()  # warm caches

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                self.download()
            return len(captured.captured_queries)

        before = queries()
        for day in (17, 18, 19, 20):
            plan = self.agreed("slow-breathing")
            self.log(plan, day, "done")
            self.review(plan, session=3, day=day, answers={"done": 4, "decision": "continue"})
        self.assertEqual(queries(), before)


class ProfileOnPagesTests(HandWorkedCase):
    def plan_rows(self, page: str) -> dict[str, list[str]]:
        rows = table(page, "engagement-plans")[2:]  # two header rows
        return {row[0]: row[1:] for row in rows}

    def test_the_client_page_shows_each_plans_row_in_words_and_numbers(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        rows = self.plan_rows(page)
        self.assertEqual(set(rows), {self.exposure.title, self.experiment.title})
        self.assertEqual(
            rows[self.exposure.title],
            [
                "5: 2 done, 1 partly, 1 not done, 1 something else",
                "2",
                "3 · most of it",
                "4",
                "not asked",
                "not asked",
                "not asked",
                "none named; obstacles noted in 2 entries",
                "not asked",
            ],
        )
        self.assertEqual(
            rows[self.experiment.title],
            [
                "4: 2 done, 1 partly, 1 no outcome",
                "1",
                "1 · a little",
                "9",
                "3",
                "5",
                "80",
                "feelings; obstacles noted in 1 entry",
                "yes (at 1 of 1 reviews, in 1 of 3 entries)",
            ],
        )
        self.assertIn('<th scope="colgroup" colspan="7">At the last review</th>', page)
        self.assertIn(f'href="/clients/{self.client_a.pk}/engagement.csv"', page)
        codebook = table(page, "engagement-codebook")[1:]
        self.assertEqual(tuple(row[0] for row in codebook), NAMES)  # what the download holds

    def test_the_trend_lists_the_reviewed_periods_oldest_first(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        trend = table(page, "engagement-trend")[1:]
        # The page's dates are in the clinic's time zone.
        day7, day14 = (
            self.on_day(d).astimezone(ZoneInfo("Europe/London")).strftime("%-d %b %Y")
            for d in (7, 14)
        )
        exposure, experiment, half = self.exposure.title, self.experiment.title, "2 · about half"
        self.assertEqual(
            [row[:4] for row in trend],
            [
                [f"{day7} · session 2", exposure, "3: 1 done, 1 partly, 1 not done", half],
                [f"{day14} · session 3", exposure, "2: 1 done, 1 something else", "3 · most of it"],
                [f"{day14} · session 3", experiment, "3: 2 done, 1 no outcome", "1 · a little"],
            ],
        )  # fmt: skip
        self.assertEqual(
            trend[0][4:],
            ["7", "8", "9", "60", "practical, beliefs; obstacles noted in 2 entries", "not asked"],
        )
        self.assertEqual(trend[2][9], "yes (at 1 of 1 reviews, in 1 of 2 entries)")

    def test_the_agenda_shows_the_same_profile(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/agenda/").content.decode()
        rows = self.plan_rows(page)
        self.assertEqual(rows[self.experiment.title][0], "4: 2 done, 1 partly, 1 no outcome")
        self.assertEqual(rows[self.exposure.title][2], "3 · most of it")
        self.assertEqual(len(table(page, "engagement-trend")), 4)


class MissingAnswersTests(BaseTestCase):
    def test_a_plan_not_reviewed_and_a_question_not_asked_are_said_apart_from_zero(self) -> None:
        therapist = self.therapist_a
        template = PlanTemplate.objects.get(slug="slow-breathing")
        plans.agree(plans.start_plan(self.client_a, by=therapist, template=template), by=therapist)
        reviewed = plans.agree(
            plans.start_plan(self.client_a, by=therapist, template=template), by=therapist
        )
        plans.review(reviewed, by=therapist, session=None, answers={"done": 0, "decision": "stop"})
        self.sign_in(therapist)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        # Newest first, as in the plan list: the reviewed plan, then the one waiting.
        ordered = table(page, "engagement-plans")[2:]
        self.assertEqual(
            ordered[0][1:],
            ["none logged", "1", "0 · not at all"] + ["not asked"] * 4
            + ["none named", "not asked"],
        )  # fmt: skip
        self.assertEqual(ordered[1][1:], ["none logged", "0"] + ["not reviewed yet"] * 7)
        self.assertIn('<span class="muted">not asked</span>', page)
