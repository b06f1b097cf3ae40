"""Every shipped language is whole: each string people are shown has its translation.

Three checks, from the catalog outwards: the shipped .po has no empty and no fuzzy entry; the
compiled .mo beside it says the same as the .po (it is committed, and Django reads only it);
and makemessages, run over a copy of the sources, finds no marked string the .po lacks — so a
newly marked string without its translation fails here, not in front of a German reader.
test_rendered_german.py then looks at the rendered pages themselves.
"""

from __future__ import annotations

import gettext
import os
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, override_settings

from bridgework.tests import catalog

ROOT = Path(settings.BASE_DIR)
SHIPPED = [code for code, _name in settings.LANGUAGES if code != settings.LANGUAGE_CODE]
SOURCES = ("bridgework", "templates")


def po_path(language: str) -> Path:
    return ROOT / "locale" / language / "LC_MESSAGES" / "django.po"


def described(entries: list[catalog.Entry]) -> str:
    return "\n".join(f"  line {e.line}: {e.msgid[:90]!r}" for e in entries[:40])


class ShippedCatalogTests(SimpleTestCase):
    def test_german_is_a_shipped_language(self) -> None:
        self.assertIn("de", SHIPPED)

    def test_no_entry_is_left_empty(self) -> None:
        for language in SHIPPED:
            with self.subTest(language=language):
                empty = [
                    e for e in catalog.read(po_path(language)) if not e.obsolete and e.untranslated
                ]
                self.assertEqual(empty, [], f"untranslated in {language}:\n{described(empty)}")

    def test_no_entry_is_fuzzy(self) -> None:
        for language in SHIPPED:
            with self.subTest(language=language):
                text = po_path(language).read_text(encoding="utf-8")
                header = text[: text.index('msgid ""')]
                self.assertNotIn("fuzzy", header, "the header is marked fuzzy")
                entries = catalog.read(po_path(language))
                fuzzy = [e for e in entries if "fuzzy" in e.flags and not e.obsolete]
                self.assertEqual(fuzzy, [], f"fuzzy in {language}:\n{described(fuzzy)}")

    def test_no_string_has_two_entries(self) -> None:
        for language in SHIPPED:
            with self.subTest(language=language):
                seen: dict[tuple[str | None, str], int] = {}
                twice = []
                for entry in catalog.read(po_path(language)):
                    if entry.key in seen and not entry.obsolete:
                        twice.append(entry)
                    seen.setdefault(entry.key, entry.line)
                self.assertEqual(twice, [], f"twice in {language}:\n{described(twice)}")

    def test_the_compiled_catalog_matches_the_po(self) -> None:
        for language in SHIPPED:
            with self.subTest(language=language):
                path = po_path(language).with_suffix(".mo")
                with path.open("rb") as compiled:
                    held = gettext.GNUTranslations(compiled)._catalog  # type: ignore[attr-defined]
                stale = []
                for e in catalog.read(po_path(language)):
                    if e.obsolete:
                        continue
                    key = e.msgid if e.msgctxt is None else f"{e.msgctxt}\x04{e.msgid}"
                    found = held.get((key, 0) if e.msgid_plural is not None else key)
                    if found != e.msgstr[0]:
                        stale.append(e)
                self.assertEqual(
                    stale,
                    [],
                    f"{path} is older than the .po: run `msgfmt --check -o {path.name} "
                    f"django.po` in its folder. Differing:\n{described(stale)}",
                )


class MarkedStringsTests(SimpleTestCase):
    """makemessages over a copy of the sources, so the shipped catalog is never rewritten."""

    workdir: Path
    pot: list[catalog.Entry]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.workdir = Path(tempfile.mkdtemp(prefix="bw-makemessages-"))
        for folder in SOURCES:
            shutil.copytree(
                ROOT / folder,
                cls.workdir / folder,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "vendor", "tests"),
            )
        locale = cls.workdir / "locale"
        for language in SHIPPED:
            (locale / language / "LC_MESSAGES").mkdir(parents=True)
            shutil.copy(po_path(language), locale / language / "LC_MESSAGES" / "django.po")
        here = os.getcwd()
        os.chdir(cls.workdir)  # makemessages scans the working directory
        try:
            with override_settings(LOCALE_PATHS=[str(locale)]):
                call_command("makemessages", locale=SHIPPED, keep_pot=True, verbosity=0)
        finally:
            os.chdir(here)
        cls.pot = catalog.read(locale / "django.pot")

    @classmethod
    def tearDownClass(cls) -> None:
        shutil.rmtree(cls.workdir, ignore_errors=True)
        super().tearDownClass()

    def test_it_found_the_strings_of_the_sources(self) -> None:
        found = {entry.msgid for entry in self.pot}
        self.assertIn("Caseload", found)  # a template
        self.assertIn("Enter a whole number of hours from 1 to 24.", found)  # Python

    def test_every_marked_string_is_in_each_shipped_catalog(self) -> None:
        for language in SHIPPED:
            with self.subTest(language=language):
                shipped = {e.key for e in catalog.read(po_path(language)) if not e.obsolete}
                missing = [e for e in self.pot if e.key not in shipped]
                self.assertEqual(
                    missing,
                    [],
                    f"marked for translation but not in locale/{language}: append each, "
                    f"translated, to the end of its django.po:\n"
                    + "\n".join(f"  {e.references[:1]} {e.msgid[:90]!r}" for e in missing[:40]),
                )
