"""The CSV writer's fast path (pyarrow) writes the very bytes the csv module writes, and leaves
every batch with a cell that needs quotes, or a value pyarrow would write differently, to it."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.test import SimpleTestCase

from bridgework.research.export.codebook import Column, ColumnType
from bridgework.research.export.writers import csv_block, csv_text


def column(kind: ColumnType) -> Column:
    return Column(kind, kind, "A column.", "tests")


TEXT, NUMBER, INTEGER = column("string"), column("number"), column("integer")


class CsvBlockTests(SimpleTestCase):
    def assert_as_csv_module(self, cells: list[Sequence[Any]], columns: tuple[Column, ...]) -> None:
        self.assertEqual(csv_block(cells, columns), csv_text(zip(*cells, strict=True)))

    def test_plain_cells_are_the_csv_modules_bytes(self) -> None:
        cells: list[Sequence[Any]] = [
            ["L-ABC", "", None, "with space", "ümlaut €"],
            [1, None, -3, 0, 10**12],
        ]
        self.assert_as_csv_module(cells, (TEXT, INTEGER))
        self.assertEqual(csv_block(cells, (TEXT, INTEGER))[:8], b"L-ABC,1\n")

    def test_cells_that_need_quotes_are_quoted_as_the_csv_module_does(self) -> None:
        for tricky in ("a,b", 'say "no"', "two\nlines", "cr\ronly", "crlf\r\n"):
            with self.subTest(tricky=tricky):
                cells: list[Sequence[Any]] = [["plain", tricky], [1, 2]]
                self.assert_as_csv_module(cells, (TEXT, INTEGER))
        self.assertEqual(csv_block([["a,b", "x"], [1, 2]], (TEXT, INTEGER)), b'"a,b",1\nx,2\n')

    def test_values_pyarrow_would_write_differently_go_to_the_csv_module(self) -> None:
        for odd in (2.0, Decimal("3"), True, b"x"):
            with self.subTest(odd=odd):
                cells: list[Sequence[Any]] = [[1, odd], ["a", "b"]]
                self.assert_as_csv_module(cells, (INTEGER, TEXT))
        self.assert_as_csv_module([[0.1, 2, None, Decimal("1.50")], list("abcd")], (NUMBER, TEXT))

    def test_a_single_empty_cell_is_quoted_as_the_csv_module_does(self) -> None:
        self.assert_as_csv_module([["", None, "x"]], (TEXT,))
        self.assertEqual(csv_block([[None]], (TEXT,)), b'""\n')
