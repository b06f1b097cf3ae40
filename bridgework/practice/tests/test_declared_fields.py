"""What the therapist's pages read from an entry comes from what its worksheet declares (its
`from_series` and `learning`), not from field names written into the code: a new worksheet
version that names its fields differently is read without a change of code."""

from __future__ import annotations

import json
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from unittest import mock

from django.utils import timezone

from bridgework.practice import actions, engagement, worksheets
from bridgework.practice.models import PracticeLog
from bridgework.practice.tests.test_logging import PracticeTestCase
from bridgework.test import user_of


@contextmanager
def renamed_version(slug: str, renames: dict[str, str]) -> Iterator[worksheets.Worksheet]:
    """The shipped worksheets plus a newer version of one whose fields are renamed (every
    name, wherever the file says it: schema, labels, declarations)."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for path in worksheets.FOLDER.glob("*.json"):
            shutil.copy(path, folder)
        latest = worksheets.current(slug)
        text = (worksheets.FOLDER / f"{slug}.v{latest.version}.json").read_text()
        for old, new in renames.items():
            text = text.replace(f'"{old}"', f'"{new}"')
        data = json.loads(text)
        data["version"] = latest.version + 1
        (folder / f"{slug}.v{data['version']}.json").write_text(json.dumps(data))
        worksheets.all_versions.cache_clear()
        try:
            with mock.patch.object(worksheets, "FOLDER", folder):
                yield worksheets.current(slug)
        finally:
            worksheets.all_versions.cache_clear()
            worksheets.validator_for.cache_clear()


EXPOSURE_RENAMED = {
    "series": "readings",
    "distress": "level",
    "distress_peak": "highest_level",
    "distress_after": "level_at_end",
}


class DeclaredSeriesTests(PracticeTestCase):
    def log_exposure(self, days_ago: int, peak: int, end: int) -> PracticeLog:
        return actions.log_practice(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            plan=self.plan,
            outcome="done",
            sheet=worksheets.current("exposure-log"),
            entries={
                "situation": "Bus",
                "distress_before": 50,
                "highest_level": peak,
                "level_at_end": end,
                "readings": [
                    {"minute": 0, "level": 50},
                    {"minute": 10, "level": peak},
                    {"minute": 20, "level": end},
                ],
            },
            practiced_at=timezone.now() - timedelta(days=days_ago),
        ).entry

    def test_a_version_that_renames_its_series_still_gets_its_pictures_and_trend(self) -> None:
        with renamed_version("exposure-log", EXPOSURE_RENAMED) as sheet:
            self.assertEqual(sheet.from_series and sheet.from_series["list"], "readings")
            logs = [
                self.log_exposure(days_ago, peak, end)
                for days_ago, peak, end in ((9, 85, 60), (6, 60, 30), (3, 45, 20))
            ]
            self.sign_in(self.therapist_a)
            page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
            self.assertIn("Peak: 85 → 60 → 45, <strong>coming down</strong>", page)
            self.assertIn("end: 60 → 30 → 20, <strong>coming down</strong>", page)
            self.assertEqual(page.count("/series.svg"), 3)
            self.assertIn("10 min: 85", page)
            picture = self.client.get(f"/practice/{logs[0].pk}/series.svg")
            self.assertEqual(picture.status_code, 200)


class DeclaredLearningTests(PracticeTestCase):
    def test_a_version_that_asks_what_was_learned_under_another_name_is_counted(self) -> None:
        with renamed_version("behavioural-experiment", {"learned": "what_i_found"}) as sheet:
            self.assertEqual(sheet.learning, "what_i_found")
            log = PracticeLog(
                client=self.client_a,
                worksheet=sheet.slug,
                worksheet_version=sheet.version,
                entries={"what_i_found": "Sam replied the same evening"},
                outcome="done",
                practiced_at=timezone.now(),
            )
            facts = engagement.entry_facts(log)
        self.assertTrue(facts.learned_asked)
        self.assertTrue(facts.learned)

    def test_a_worksheet_that_asks_nothing_learned_is_not_counted_as_asking(self) -> None:
        log = PracticeLog(
            client=self.client_a,
            worksheet="noticing-log",
            worksheet_version=1,
            entries={"noticed": "I apologised", "learned": "stray words"},
            outcome="done",
            practiced_at=timezone.now(),
        )
        facts = engagement.entry_facts(log)
        self.assertEqual((facts.learned_asked, facts.learned), (False, False))
