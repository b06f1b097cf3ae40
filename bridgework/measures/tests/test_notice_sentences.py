"""Each notice of a flag says in one sentence what became of it (measures.templatetags
.measures.notice_sentence, shown by measures/flag_notices.html), its values escaped."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.template.loader import render_to_string
from django.test import SimpleTestCase
from django.utils import timezone

from bridgework.measures.models import FlagNotice


def said(**fields: Any) -> str:
    now = timezone.now()
    given = {"audience": "care-team", "detail": "refused <by> the server", "sent_at": now}
    notice = FlagNotice(**{**given, "due_at": now, "next_attempt_at": now, **fields})
    page = render_to_string("measures/flag_notices.html", {"notices": [notice]})
    return " ".join(page.split())


class NoticeSentenceTests(SimpleTestCase):
    def test_a_sent_notice_says_who_was_told_when(self) -> None:
        clock = timezone.localtime().strftime("%H:%M")
        self.assertIn(f"<li> Care team told {clock}</li>", said(state="sent"))

    def test_a_failed_notice_says_why_and_after_how_many_tries(self) -> None:
        page = said(state="failed", attempts=3)
        self.assertIn('class="field-error"', page)
        self.assertIn("Could not tell the care team after 3 tries: refused &lt;by&gt;", page)
        self.assertIn("Could not tell the care team: refused", said(state="failed"))

    def test_a_cancelled_notice_says_why_nobody_was_told(self) -> None:
        self.assertIn("Care team not told: refused &lt;by&gt; the server.", said(state="cancelled"))

    def test_a_notice_being_retried_says_when_it_tries_again(self) -> None:
        page = said(state="waiting", attempts=1)
        self.assertIn('class="field-error"', page)
        self.assertIn("Telling the care team failed (refused &lt;by&gt; the server)", page)

    def test_a_waiting_duty_contact_says_when_it_will_be_told(self) -> None:
        page = said(state="waiting", audience="duty-contact")
        self.assertIn("Duty contact told at", page)
        self.assertIn("unless someone acknowledges this first.", page)
        self.assertIn("<li> Telling the care team…</li>", said(state="waiting"))

    def test_a_sent_notice_of_another_day_names_the_day(self) -> None:
        page = said(state="sent", sent_at=timezone.now() - timedelta(days=3))
        day = timezone.localtime(timezone.now() - timedelta(days=3)).strftime("%a")
        self.assertIn(f"Care team told {day} ", page)
