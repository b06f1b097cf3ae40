"""The export's code stays in small files, and every table's rows put each value under the
column the codebook names for it (the rows are read by name, not by position)."""

from __future__ import annotations

from pathlib import Path

from bridgework.research.export import package
from bridgework.research.export.context import Context
from bridgework.research.export.tables import TABLES
from bridgework.research.tests.helpers import ExportTestCase, study_pseudonym

EXPORT = Path(package.__file__).parent


class LayoutTests(ExportTestCase):
    def test_every_file_of_the_export_is_under_400_lines(self) -> None:
        sizes = {
            p.name: len(p.read_text(encoding="utf-8").splitlines()) for p in EXPORT.glob("*.py")
        }
        self.assertEqual({name: n for name, n in sizes.items() if n >= 400}, {})

    def test_every_row_has_one_value_per_column(self) -> None:
        ctx = Context.of(self.study, "default")
        for name, read in package.ROWS.items():
            with self.subTest(table=name):
                widths = {len(row) for row in read(ctx)}
                self.assertEqual(widths, {len(TABLES[name].columns)})

    def named(self, table: str, key: str, pk: int, kind: str) -> dict[str, object]:
        ctx = Context.of(self.study, "default")
        names = [c.name for c in TABLES[table].columns]
        rows = [dict(zip(names, row, strict=True)) for row in package.ROWS[table](ctx)]
        return next(r for r in rows if r[key] == study_pseudonym(self.study, kind, pk))

    def test_a_plans_values_stand_under_their_own_columns(self) -> None:
        plan = self.named("plans", "plan_id", self.plan_a.pk, "plan")
        self.assertEqual(
            (plan["template"], plan["importance"], plan["confidence"], plan["has_reminders"]),
            ("exposure-step-up-the-ladder", 8, 6, True),
        )
        self.assertEqual((plan["status"], plan["version"]), ("reviewed", 1))
        self.assertEqual(plan["client_id"], study_pseudonym(self.study, "client", self.client_a.pk))

    def test_a_prompts_values_stand_under_their_own_columns(self) -> None:
        prompt = self.plan_a.prompts.exclude(opened_at=None).get()
        row = self.named("prompts", "prompt_id", prompt.pk, "prompt")
        self.assertEqual(
            (row["purpose"], row["schedule_kind"], row["state"], row["attempts"]),
            ("practice", "fixed", "answered", prompt.attempts),
        )
        self.assertEqual(row["plan_id"], study_pseudonym(self.study, "plan", self.plan_a.pk))
        assert prompt.opened_at is not None
        self.assertEqual(
            row["opened_at"] - row["due_at"],  # type: ignore[operator]
            prompt.opened_at.replace(microsecond=0) - prompt.due_at.replace(microsecond=0),
        )
