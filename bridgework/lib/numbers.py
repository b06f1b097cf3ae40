"""Reading whole numbers that people type. str.isdigit() is not enough: it says yes to "²"
and other Unicode digits that int() then refuses, which turned typing slips into errors."""

from __future__ import annotations

import re

WHOLE = re.compile(r"-?[0-9]{1,18}")  # longer is no one's answer (and int() refuses 4300+ digits)


def whole_number(raw: object) -> int | None:
    """The whole number written in `raw` (ASCII digits, an optional minus), else None."""
    text = str(raw).strip()
    return int(text) if WHOLE.fullmatch(text) else None


def identifier(raw: object) -> int | None:
    """A database id from a form or a query string: a positive whole number, else None."""
    number = whole_number(raw)
    return number if number is not None and number > 0 else None
