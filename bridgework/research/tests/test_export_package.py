"""The export package: which clients and rows it holds, its pseudonyms, its two formats and
its codebook."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd

from bridgework.research.export.package import ExportRefused, write_package
from bridgework.research.export.tables import TABLES
from bridgework.research.tests.helpers import ExportTestCase


class PackageTests(ExportTestCase):
    def export(self, fmt: str = "parquet", **options: object) -> tuple[Path, object]:
        out = Path(tempfile.mkdtemp(prefix="bw-export-"))
        result = write_package(self.study, fmt=fmt, out_dir=out, **options)  # type: ignore[arg-type]
        return out, result

    def test_it_writes_a_file_per_table_and_the_descriptor(self) -> None:
        out, result = self.export("csv")
        names = {path.name for path in out.iterdir()}
        self.assertEqual(names, {"datapackage.json", *(f"{name}.csv" for name in TABLES)})
        self.assertEqual(result.clients_included, 2)  # type: ignore[attr-defined]

    def test_every_table_has_rows_of_the_consented_clients(self) -> None:
        out, result = self.export("parquet")
        for name in TABLES:
            with self.subTest(table=name):
                frame = pd.read_parquet(out / f"{name}.parquet")
                self.assertGreater(len(frame), 0)
                self.assertEqual(len(frame), result.rows[name])  # type: ignore[attr-defined]

    def test_it_refuses_an_unknown_format(self) -> None:
        with self.assertRaisesRegex(ExportRefused, "choose csv or parquet"):
            self.export("xlsx")
