"""The engagement profile in words and numbers for the staff pages (practice.engagement): a
missing answer is said in words, set apart from the numbers, never shown as 0."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from bridgework.plans.review import DONE_CHOICES
from bridgework.practice.engagement import Learned, Missing, Practice, Scale
from bridgework.practice.engagement_rows import codebook_rows

register = template.Library()


def missing(reason: Missing) -> SafeString:
    return format_html('<span class="muted">{}</span>', _(reason.value))


@register.filter
def answer(value: Scale) -> SafeString | str:
    return missing(value) if isinstance(value, Missing) else str(value)


@register.filter
def done_answer(value: Scale) -> SafeString | str:
    """The review's "how much was done": its number and its words ("3 · most of it")."""
    if isinstance(value, Missing):
        return missing(value)
    return f"{value} · {str(dict(DONE_CHOICES).get(value, '')).lower()}"


@register.filter
def named(value: tuple[str, ...] | Missing) -> SafeString | str:
    if isinstance(value, Missing):
        return missing(value)
    return ", ".join(_(kind) for kind in value) if value else _("none named")


@register.filter
def outcomes(practice: Practice) -> str:
    """ "5: 2 done, 1 partly, 2 not done" (kinds with no entry left out), or "none logged"."""
    if not practice.entries:
        return _("none logged")
    parts = [
        (practice.done, _("done")),
        (practice.partly, _("partly")),
        (practice.not_done, _("not done")),
        (practice.something_else, _("something else")),
        (practice.no_outcome, _("no outcome")),
    ]
    counted = ", ".join(f"{count} {label}" for count, label in parts if count)
    return f"{practice.entries}: {counted}"


@register.filter
def learned(value: Learned) -> SafeString | str:
    state = value.state
    if state is Missing.NOT_ASKED or state is Missing.NOT_REVIEWED:
        return missing(state)
    where = []
    if value.reviews:
        where.append(_("at %(n)d of %(of)d reviews") % {"n": value.at_reviews, "of": value.reviews})
    if value.entries_asked:
        where.append(
            _("in %(n)d of %(of)d entries") % {"n": value.in_entries, "of": value.entries_asked}
        )
    said = _("yes") if state is True else _("nothing written")
    return f"{said} ({', '.join(where)})"


@register.simple_tag
def engagement_codebook() -> list[dict[str, Any]]:
    """What each column of the rows' download means (practice.engagement_rows.CODEBOOK)."""
    return codebook_rows()
