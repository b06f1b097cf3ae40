from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template
from django.utils import dateformat, timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    return mapping.get(key)


@register.filter
def clock(moment: datetime | None) -> str:
    """A moment in the viewer's time zone: "14:02" today, "Tue 3 Mar, 14:02" on another day."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    same_day = local.date() == timezone.localdate()
    return dateformat.format(local, "H:i" if same_day else _("D j M, H:i"))


@register.simple_tag
def notice_sentence(notice: Any) -> str:
    """What became of one notice of a flag (measures/flag_notices.html), in one call: written
    as a `blocktranslate` per notice, it was the dearest part of the client page's ten open
    flags. The template's autoescaping escapes the sentence, values and all."""
    who = notice.get_audience_display()
    said = {"who": who, "Who": capfirst(who), "reason": notice.detail, "tries": notice.attempts}
    if notice.state == "sent":
        return _("%(Who)s told %(when)s") % {**said, "when": clock(notice.sent_at)}
    if notice.state == "failed" and notice.attempts:
        return _("Could not tell the %(who)s after %(tries)s tries: %(reason)s.") % said
    if notice.state == "failed":
        return _("Could not tell the %(who)s: %(reason)s.") % said
    if notice.state == "cancelled":
        return _("%(Who)s not told: %(reason)s.") % said
    if notice.attempts:
        when = clock(notice.next_attempt_at)
        return _("Telling the %(who)s failed (%(reason)s); trying again at %(when)s.") % {
            **said,
            "when": when,
        }
    if notice.audience == "duty-contact":
        return _("%(Who)s told at %(when)s unless someone acknowledges this first.") % {
            **said,
            "when": clock(notice.due_at),
        }
    return _("Telling the %(who)s…") % said
