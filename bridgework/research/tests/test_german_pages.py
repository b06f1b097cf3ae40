"""The research staff's pages speak the language of the person reading them: a researcher who
chose German reads the study page, the codebook and the analyses in German (the codebook page's
column texts too; the files, datapackage.json among them, stay English: one codebook per
dataset)."""

from __future__ import annotations

from django.test import SimpleTestCase
from django.utils import translation

from bridgework.accounts import actions as accounts
from bridgework.research import pages, recipe
from bridgework.research.export.tables import TABLES
from bridgework.research.export.withdrawn import WITHDRAWN
from bridgework.research.models import Export
from bridgework.research.tests.helpers import ExportTestCase, descriptor_of, export, files_in
from bridgework.research.tests.study_setup import StudyCase, consent


class GermanResearchPagesTests(StudyCase):
    def setUp(self) -> None:
        super().setUp()
        accounts.set_language(self.researcher, "de", by=self.researcher)
        self.sign_in(self.researcher)

    def test_the_study_page_is_in_german(self) -> None:
        study = self.make_study()
        consent(self.client_a)
        page = self.client.get(f"/research/studies/{study.pk}/")
        self.assertEqual(page["Content-Language"], "de")
        for words in (
            "Datenzeitraum",
            "Klientinnen und Klienten mit offener Einwilligung für die Forschung",
            "je Klientin oder Klient verschoben, Abstände erhalten",
            "Export erstellen",
            "Noch kein Export.",
            "Das Engagement-Modell auf dieser Studie und ein Beispiel einer Metaanalyse",
        ):
            self.assertContains(page, words)
        self.assertNotContains(page, "Make an export")

    def test_the_codebook_page_is_in_german(self) -> None:
        study = self.make_study()
        page = self.client.get(f"/research/studies/{study.pk}/codebook/")
        for words in ("Codebuch", "Erlaubte Werte", "Bedeutung", "Eine Zeile je <code>"):
            self.assertContains(page, words)
        self.assertNotContains(page, "Allowed values")
        # The columns' texts in German, their names and codes as the files write them.
        self.assertContains(page, "<td>Studienpseudonym der Klientin oder des Klienten.</td>")
        self.assertContains(page, "<td>Zeichenkette</td>")
        self.assertContains(page, "<code>client_id</code>")
        self.assertNotContains(page, "Study pseudonym of the client.")
        package = self.client.get(f"/research/studies/{study.pk}/datapackage.json").json()
        fields = {f["name"]: f for r in package["resources"] for f in r["schema"]["fields"]}
        self.assertEqual(fields["client_id"]["description"], "Study pseudonym of the client.")

    def test_the_analyses_page_is_in_german_to_the_forest_plot(self) -> None:
        study = self.make_study(tables=list(recipe.MODEL_TABLES))
        page = self.client.get(f"/research/studies/{study.pk}/analyses/")
        for words in (
            "Engagement und Symptome in der nächsten Sitzung",
            "Zu wenige Daten für das Modell",
            "Beispiel einer Metaanalyse: Studien zum BCG-Impfstoff",
            "Fester Effekt",
            "95-%-Vorhersageintervall",
            "Heterogenität: Q = ",
            ">Gewicht</text>",  # the forest plot's own words
            "Modell REML",
            "Eigene Studien poolen",
        ):
            self.assertContains(page, words)
        self.assertNotContains(page, "Fixed effect")
        self.assertNotContains(page, ">Weight</text>")

    def test_a_refused_paste_says_why_in_german(self) -> None:
        study = self.make_study(tables=list(recipe.MODEL_TABLES))
        page = self.client.post(
            f"/research/studies/{study.pk}/analyses/", {"studies": "Smith 2019; -0,42; 0,05"}
        )
        self.assertContains(page, "Geben Sie mindestens zwei Studien an, eine pro Zeile")

    def test_an_exports_progress_is_worded_and_numbered_in_german(self) -> None:
        running = Export(state=Export.State.RUNNING, tables_done=2, rows_written=1234567)
        with translation.override("de"):
            progress = pages.progress_words(running, 3)
        self.assertEqual(progress, "2 von 3 Tabellen, bisher 1.234.567 Zeilen.")
        with translation.override("en"):
            progress = pages.progress_words(running, 3)
        self.assertEqual(progress, "2 of 3 tables, 1,234,567 rows so far.")


class GermanResearchersExportTests(ExportTestCase):
    """A German researcher's export is the same English package as anyone's: the files are
    what an analysis reads, and one dataset has one codebook."""

    def test_a_german_researchers_export_and_datapackage_are_english(self) -> None:
        with translation.override("en"):
            english_out, _result = export(self.study, "csv")
            english_alone = pages.descriptor_of(self.study)
        with translation.override("de"):
            german_out, _result = export(self.study, "csv")
            german_alone = pages.descriptor_of(self.study)
            # The page's words would be German here: the files' must not be.
            self.assertEqual(translation.gettext("Codebook"), "Codebuch")
        self.assertEqual(descriptor_of(german_out), descriptor_of(english_out))
        self.assertEqual(german_alone, english_alone)
        titles = {r["name"]: r["title"] for r in german_alone["resources"] if r["name"] in TABLES}
        self.assertEqual(titles, {name: TABLES[name].title for name in titles})
        with translation.override("de"):  # which the codebook page shows in German
            self.assertNotEqual(translation.gettext(TABLES["sessions"].title), titles["sessions"])
        for name in files_in(english_out):
            if name.endswith(".csv"):
                header = (german_out / name).read_text(encoding="utf-8").splitlines()[0]
                english = (english_out / name).read_text(encoding="utf-8").splitlines()[0]
                self.assertEqual(header, english, name)


class CodebookCatalogTests(SimpleTestCase):
    """The codebook page looks each column's English text up in the catalog (the texts are
    the files' own, so they are not marked in the code): a new column or a reworded meaning
    without its German entry fails here, not in front of a German researcher."""

    def test_every_column_and_table_text_has_its_german_entry(self) -> None:
        texts = {
            text
            for table in [*TABLES.values(), WITHDRAWN]
            for text in (table.description, *(column.meaning for column in table.columns))
        }
        with translation.override("de"):
            untranslated = sorted(text for text in texts if translation.gettext(text) == text)
        self.assertEqual(untranslated, [], "append each, translated, to locale/de's django.po")
