"""Studies pasted into the analyses page's pooling form, one a line: label, effect, variance.

The rule, line by line (the form's help text says the same):
- A line with a tab is split at its tabs (a spreadsheet's copied cells); else a line with a
  semicolon at its semicolons (a German spreadsheet's CSV); else at its commas.
- Between tabs or semicolons a comma is a decimal mark ("0,25" is 0.25) and a label may hold
  commas ("Smith, Jones 2020").
- Between commas a number takes a point ("0.25"); the last two fields are the numbers and the
  rest is the label, so a label may hold commas unless a piece of it is a number as well (then
  the line could be a label with a decimal comma, "Smith 2019, -0,42, 0,05", and is refused
  rather than read the wrong way: pick semicolons or tabs instead).

Every refusal names its line and says what is expected.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

__all__ = ["PastedStudies", "StudiesRefused", "parse_studies"]

# A plain decimal number, with an exponent if need be: no "inf", "nan" or "1_000" (float()
# takes those, and none of them is an effect size anyone meant).
NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
MINUS_SIGN = "\u2212"  # as papers and word processors print a minus


class StudiesRefused(ValueError):
    """The pasted studies cannot be pooled; the message says which line and why."""


@dataclass(frozen=True)
class PastedStudies:
    labels: list[str]
    yi: list[float]
    vi: list[float]


def parse_studies(text: str) -> PastedStudies:
    """The studies in `text`, at least two, each with a positive variance."""
    studies = PastedStudies([], [], [])
    for line_number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        label, effect, variance = fields_of(line, line_number)
        yi, vi = number_on(effect, line_number), number_on(variance, line_number)
        if not vi > 0:
            raise StudiesRefused(
                _("Line %(n)s: the variance must be a positive number; got %(v)s.")
                % {"n": line_number, "v": variance}
            )
        studies.labels.append(label or _("Study %(n)s") % {"n": len(studies.labels) + 1})
        studies.yi.append(yi)
        studies.vi.append(vi)
    if len(studies.labels) < 2:
        raise StudiesRefused(
            _("Give at least two studies, one a line: a meta-analysis pools several.")
        )
    return studies


def fields_of(line: str, line_number: int) -> tuple[str, str, str]:
    """The line's label, effect and variance as written (decimal commas made points)."""
    separator = "\t" if "\t" in line else ";" if ";" in line else ","
    if separator == ",":
        return comma_fields(line, line_number)
    parts = [part.strip() for part in line.split(separator)]
    while len(parts) > 3 and not parts[-1]:
        parts.pop()  # a spreadsheet's empty cells at the end of a row
    if len(parts) != 3:
        raise not_three(line_number)
    label, effect, variance = parts
    return label, decimal_point(effect, line_number), decimal_point(variance, line_number)


def comma_fields(line: str, line_number: int) -> tuple[str, str, str]:
    parts = [part.strip() for part in line.split(",")]
    if len(parts) < 3:
        raise not_three(line_number)
    label_parts = parts[:-2]
    if len(label_parts) > 1 and any(NUMBER.fullmatch(plain(part)) for part in label_parts):
        raise StudiesRefused(
            _(
                "Line %(n)s: with commas between the fields this line can be read more than "
                "one way (a decimal comma, or a comma in the label?). Separate label, effect "
                "and variance with semicolons or tabs, e.g. “Smith 2019; -0,42; 0,05”."
            )
            % {"n": line_number}
        )
    return ", ".join(label_parts), parts[-2], parts[-1]


def not_three(line_number: int) -> StudiesRefused:
    return StudiesRefused(
        _(
            "Line %(n)s: give a label, the effect (yi) and its variance (vi), e.g. "
            "“Smith 2020; -0,35; 0,04” or “Smith 2020, -0.35, 0.04”."
        )
        % {"n": line_number}
    )


def decimal_point(text: str, line_number: int) -> str:
    """A number between tabs or semicolons, its decimal comma (if any) made a point."""
    if "," not in text:
        return text
    if "." in text or text.count(",") > 1:
        raise StudiesRefused(
            _(
                "Line %(n)s: “%(text)s” has more than one decimal mark; write it with one, "
                "e.g. 0,25 or 0.25 (no thousands separators)."
            )
            % {"n": line_number, "text": text}
        )
    return text.replace(",", ".")


def plain(text: str) -> str:
    return text.strip().replace(MINUS_SIGN, "-")


def number_on(text: str, line_number: int) -> float:
    value = float(plain(text)) if NUMBER.fullmatch(plain(text)) else math.nan
    if not math.isfinite(value):  # 1e999 is a number too large to be one
        raise StudiesRefused(
            _("Line %(n)s: “%(text)s” is not a number.") % {"n": line_number, "text": text}
        )
    return value
