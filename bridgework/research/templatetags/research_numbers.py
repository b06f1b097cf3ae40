"""How the research pages write a p value."""

from __future__ import annotations

import math

from django import template
from django.template.defaultfilters import floatformat

register = template.Library()

# Four decimals, as the pages print every p; below this a p is "< 0.0001", never 0.0000 (a p
# is never 0, and four zeros read as if it were).
SMALLEST_SHOWN = 0.0001


@register.filter
def p_value(p: float | None) -> str:
    """0.0019, or < 0.0001 below that; — when there is none. Decimal mark of the language."""
    if p is None or not math.isfinite(p):
        return "—"
    if p < SMALLEST_SHOWN:
        return f"< {floatformat(SMALLEST_SHOWN, 4)}"
    return str(floatformat(p, 4))


@register.filter
def p_stated(p: float | None) -> str:
    """The p in a sentence: "p = 0.0019" or "p < 0.0001"."""
    shown = p_value(p)
    return f"p {shown}" if shown.startswith("<") else f"p = {shown}"
