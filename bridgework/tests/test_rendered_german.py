"""The pages people see are in German for a German reader: no English wording left behind.

Every page of the permission matrix that some actor opens (the first of PREFERRED who gets
200), rendered twice with the test client, the person's language set to English and then
to German. Each text a reader perceives (text nodes, and title, alt, placeholder and
aria-label) that reads the same in both is a suspect. A suspect is no fault when, with the
stored data taken out (every string of every row, names, plan titles, questionnaire texts),
the numbers, dates and punctuation too, no word is left; or when what is left is a word
that German writes as English does (the catalog's own identical translations, and ALLOWED).
So a string someone forgot to mark, or marked but left untranslated, fails here with its
page; the data on the page never does, whatever it holds.
"""

from __future__ import annotations

import json
import re
import zoneinfo
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models

from bridgework.accounts.models import User
from bridgework.care.models import Client
from bridgework.tests import catalog
from bridgework.tests import test_permissions as matrix

PREFERRED = ("therapist_a", "client_a", "admin", "supervisor", "researcher")
# Words and marks German writes as English does, beyond the catalog's own identical entries.
ALLOWED = {
    "Bridgework",
    "PHQ-9",
    "GAD-7",
    "OK",
    "CSV",
    "JSON",
    "PDF",
    "FHIR",
    "SE",
    "p",
    "n",
    "ICC",
    "English",  # each language is offered in its own name
    "Deutsch",
    "min",
    "Parquet",
    "Plural",
    "April",  # months German spells as English does
    "August",
    "September",
    "November",
}
PERCEIVED = ("title", "alt", "placeholder", "aria-label")
# Not wording: scripts, and code (names in the code and files a researcher reads, URLs).
HIDDEN = ("script", "style", "template", "code", "kbd", "samp")
# A second factor's secret, shown in groups of four for typing in by hand.
SECRET_GROUP = re.compile(r"[A-Z2-7]{4}")
# Pages whose English is content, not wording, each with its reason.
CONTENT = {
    "research/studies/<int:study_id>/analyses/": "the pooled example's studies are cited by "
    "their authors",
}
WORD = re.compile(r"[^\W\d_]{2,}")


class Perceived(HTMLParser):
    """The texts of a page a reader sees or hears, each stripped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.texts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in HIDDEN:
            self.hidden += 1
        for name, value in attrs:
            if name in PERCEIVED and value and value.strip():
                self.texts.append(value.strip())

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden = max(0, self.hidden - 1)

    def handle_data(self, data: str) -> None:
        if not self.hidden and data.strip():
            self.texts.append(" ".join(data.split()))


def perceived(html: str) -> list[str]:
    parser = Perceived()
    parser.feed(html)
    parser.close()
    return parser.texts


def stored_words() -> set[str]:
    """Every word of every string the database holds (JSON values too), and of the content
    Bridgework ships as files (questionnaires, worksheets, plan templates, scenarios): data
    and content, in whatever language they were written."""
    texts: list[str] = []
    for model in apps.get_models():
        fields = [
            field.attname
            for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField, models.JSONField))
        ]
        for row in model._default_manager.values_list(*fields) if fields else ():
            texts.extend(matrix.strings_in(list(row)))
    for path in sorted(Path(settings.BASE_DIR, "bridgework").rglob("*.json")):
        texts.extend(matrix.strings_in(json.loads(path.read_text(encoding="utf-8"))))
    texts.extend(zoneinfo.available_timezones())  # the time zones offered, by their names
    return {word for text in texts for word in WORD.findall(text)}


def same_in_german() -> set[str]:
    """The catalog's entries that German writes as English does ("Status", "Version")."""
    path = settings.BASE_DIR / "locale" / "de" / "LC_MESSAGES" / "django.po"
    return {e.msgid for e in catalog.read(path) if e.msgstr.get(0) == e.msgid}


class RenderedGermanTests(matrix.MatrixObjects):
    def test_no_page_shows_english_wording_to_a_german_reader(self) -> None:
        allowed = {word for text in ALLOWED | same_in_german() for word in WORD.findall(text)}
        faults: dict[str, list[str]] = {}
        pages = 0
        for route, row in matrix.MATRIX.items():
            actor = next((a for a in PREFERRED if row.status_for(a) == 200), None)
            if row.method != "get" or actor is None or route in CONTENT:
                continue
            english, german = (
                self.render(row.url(self), actor, language) for language in ("en", "de")
            )
            if english is None or german is None:
                continue
            pages += 1
            data = stored_words()
            suspects = set(english) & set(german)
            left = sorted({w for text in suspects for w in words_left(text, data, allowed)})
            if left:
                faults[f"{route} (as {actor})"] = left
        self.assertGreater(pages, 60, "the walk rendered too few pages to say anything")
        self.assertFalse(
            faults,
            "English left on pages rendered in German (mark it, translate it, or allow it):\n"
            + "\n".join(f"  {page}: {' '.join(words)}" for page, words in faults.items()),
        )

    def render(self, url: str, actor: str, language: str) -> list[str] | None:
        """The page as `actor` sees it with everyone's language set to `language` (a client's
        own words on a therapist's page, such as the imagery script, follow the client's)."""
        User.objects.update(language=language)
        person: Any = self.actor(actor)
        self.sign_in(person.user if isinstance(person, Client) else person)
        response = self.client.get(url)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            return None
        return perceived(response.content.decode())


def words_left(text: str, data: set[str], allowed: set[str]) -> list[str]:
    """The words of `text` that are neither the data's nor allowed."""
    return [
        word
        for word in WORD.findall(text)
        if word not in data and word not in allowed and not SECRET_GROUP.fullmatch(word)
    ]
