"""Studies pasted into the pooling form: tabs, semicolons or commas between the fields; decimal
commas between tabs or semicolons; commas in labels; every refusal names its line."""

from __future__ import annotations

import re

import pytest

from bridgework.research.pasted import PastedStudies, StudiesRefused, parse_studies


def test_semicolons_take_decimal_commas_as_a_german_spreadsheet_writes_them() -> None:
    studies = parse_studies("Müller 2020; -0,25; 0,04\nSchmidt 2021; 0,1; 0,5")
    assert studies == PastedStudies(["Müller 2020", "Schmidt 2021"], [-0.25, 0.1], [0.04, 0.5])


def test_cells_copied_from_a_spreadsheet_take_either_decimal_mark() -> None:
    studies = parse_studies("Smith, Jones 2019\t-0,42\t0.05\t\t\nOkoro 2023\t-0.55\t0,081\n")
    assert studies.labels == ["Smith, Jones 2019", "Okoro 2023"]
    assert (studies.yi, studies.vi) == ([-0.42, -0.55], [0.05, 0.081])


def test_a_label_may_hold_commas_between_semicolons_and_between_commas() -> None:
    studies = parse_studies("Smith, Jones 2020; 0.1; 0.02\nLee, Park et al. 2021, -0.35, 0.04")
    assert studies.labels == ["Smith, Jones 2020", "Lee, Park et al. 2021"]
    assert (studies.yi, studies.vi) == ([0.1, -0.35], [0.02, 0.04])


def test_a_printed_minus_sign_and_an_exponent_are_numbers() -> None:
    studies = parse_studies("A; \u22120,3; 4e-2\nB, \u22120.1, 1.5E-1")
    assert (studies.yi, studies.vi) == ([-0.3, -0.1], [0.04, 0.15])


def test_an_empty_label_is_numbered() -> None:
    assert parse_studies("; 0,1; 0,2\n, 0.3, 0.4").labels == ["Study 1", "Study 2"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        # Commas between the fields and a decimal comma: which comma is which?
        ("A, 0.1, 0.2\nSmith 2019, -0,42, 0,05", "Line 2: with commas between the fields"),
        ("A, 0.1, 0.2\n\nStudy 4, 2019, 0.3, 0.1", "Line 3: with commas between the fields"),
        ("A; 1.234,5; 0,2\nB; 0; 1", "Line 1: “1.234,5” has more than one decimal mark"),
        ("A; 0,1,2; 0,2\nB; 0; 1", "Line 1: “0,1,2” has more than one decimal mark"),
        ("A; 0,1\nB; 0; 1", "Line 1: give a label, the effect (yi) and its variance (vi)"),
        ("A; 0,1; 0,2; 7\nB; 0; 1", "Line 1: give a label, the effect"),
        ("A, 0.1\nB, 0, 1", "Line 1: give a label, the effect"),
        ("A; 0,1; 0,2\nB; nan; 1", "Line 2: “nan” is not a number."),
        ("A; 0,1; 0,2\nB; 1_000; 1", "Line 2: “1_000” is not a number."),
        ("A; 0,1; 0,2\nB; 1e999; 1", "Line 2: “1e999” is not a number."),
        ("A; 0,1; 0,2\nB; 0,3; -0,1", "Line 2: the variance must be a positive number"),
        ("A; 0,1; 0,2", "Give at least two studies"),
    ],
)
def test_it_refuses_what_it_cannot_read_naming_the_line(text: str, message: str) -> None:
    with pytest.raises(StudiesRefused, match=re.escape(message)):
        parse_studies(text)
