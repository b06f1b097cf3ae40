"""The one text rule and the one number rule on the way in: a page post and the phone's sync
are judged alike, refusals name the field, and nothing refused is stored."""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.test import override_settings

from bridgework.practice.models import PracticeLog
from bridgework.practice.tests.test_logging import PracticeTestCase


class TextRuleTests(PracticeTestCase):
    def diary(self, **fields: Any) -> dict[str, Any]:
        return {"uid": str(uuid.uuid4()), "sheet": "free-diary", **fields}

    def test_a_lone_surrogate_sent_by_the_phone_is_refused_naming_the_field(self) -> None:
        # JSON may carry "\ud83d" without its pair; json.loads makes it a lone surrogate.
        form = self.diary(**{"entries.entry": "ok 😀"})
        body = json.dumps({"kind": "practice", "owner": self.owner(), "form": form})
        body = body.replace("\\ud83d\\ude00", "\\ud83d")  # json.dumps escapes the emoji
        response = self.client.post("/me/sync/", body, content_type="application/json")
        self.assertEqual(response.status_code, 400)
        problem = response.json()["errors"]["entries.entry"]
        self.assertIn("“What I want to write down” contains a broken character", problem)
        self.assertFalse(PracticeLog.objects.exists())

    def test_a_note_with_a_nul_is_refused_on_the_page_and_by_sync_alike(self) -> None:
        page = self.post(note="fine\x00")
        self.assertContains(page, "“Note” contains an invisible control character", status_code=400)
        self.assertContains(page, "U+0000", status_code=400)
        sync = self.sync(
            {"uid": str(uuid.uuid4()), "plan": self.plan.pk, "sheet": "quick", "note": "a\x00"}
        )
        self.assertEqual(sync.status_code, 400)
        problem = sync.json()["errors"]["note"]
        self.assertIn("“Note” contains an invisible control character", problem)
        self.assertFalse(PracticeLog.objects.exists())

    def test_every_control_character_but_tab_and_line_breaks_is_refused(self) -> None:
        for bad in ("\x01", "\x08", "\x0b", "\x1f", "\x7f", "\x9b"):
            with self.subTest(character=hex(ord(bad))):
                response = self.sync(self.diary(**{"entries.entry": f"a{bad}b"}))
                self.assertEqual(response.status_code, 400)
        saved = self.sync(self.diary(**{"entries.entry": "tab\there\r\nnext line\rlast"}))
        self.assertEqual(saved.status_code, 201)
        self.assertEqual(PracticeLog.objects.get().entries["entry"], "tab\there\nnext line\nlast")

    def test_a_browsers_crlf_counts_once_against_a_notes_limit(self) -> None:
        note = "\r\n".join(["x" * 9] * 200)  # 1999 characters once each line end is one
        response = self.post(note=note)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(PracticeLog.objects.get().note), 1999)

    def test_a_nonexistent_day_is_a_message_not_an_error_page(self) -> None:
        for when in ("2026-02-30T10:00", "0001-01-01T00:00+05:00"):
            with self.subTest(when=when):
                response = self.sync(self.diary(**{"entries.entry": "x"}, practiced_at=when))
                self.assertEqual(response.status_code, 400)
                self.assertIn("practiced_at", response.json()["errors"])


class NumberRuleTests(PracticeTestCase):
    def exposure(self, **ratings: Any) -> dict[str, Any]:
        return {
            "uid": str(uuid.uuid4()),
            "plan": self.plan.pk,
            "sheet": "exposure-log",
            "entries.situation": "Bus",
            **{f"entries.{name}": value for name, value in ratings.items()},
        }

    def test_worksheet_ratings_take_ascii_digits_only(self) -> None:
        for slip in ("٣", "１０", "1_0", "4.0", "+5"):
            with self.subTest(slip=slip):
                response = self.sync(self.exposure(distress_before=slip))
                self.assertEqual(response.status_code, 400)
                self.assertIn("from 0 to 100", response.json()["errors"]["entries.distress_before"])
        self.assertFalse(PracticeLog.objects.exists())

    def test_a_json_number_is_a_rating_and_a_json_true_is_not(self) -> None:
        refused = self.sync(self.exposure(distress_before=True))
        self.assertEqual(refused.status_code, 400)
        self.assertIn("entries.distress_before", refused.json()["errors"])
        saved = self.sync(self.exposure(distress_before=40, distress_peak=" 60 "))
        self.assertEqual(saved.status_code, 201)
        entries = PracticeLog.objects.get().entries
        self.assertEqual((entries["distress_before"], entries["distress_peak"]), (40, 60))

    def test_the_plan_and_a_scale_are_named_by_ascii_digits_too(self) -> None:
        response = self.sync({**self.exposure(), "plan": "٣"})
        self.assertEqual(response.json()["errors"], {"plan": "That plan is not one of yours."})


class SyncAnswerTests(PracticeTestCase):
    """The answers the phone's outbox acts on (static/js/client-app.js): 2xx saved, 4xx
    refused for good, 401 and 5xx try again later."""

    def test_an_unknown_kind_is_refused_with_a_message(self) -> None:
        response = self.sync({"uid": str(uuid.uuid4())}, kind="mood-ring")
        self.assertEqual(response.status_code, 400)
        self.assertIn("neither practice nor a check-in", response.json()["errors"]["__all__"])
        self.assertFalse(PracticeLog.objects.exists())

    def test_a_field_holding_a_list_is_refused_as_unreadable(self) -> None:
        response = self.sync({"uid": str(uuid.uuid4()), "sheet": "free-diary", "note": ["a"]})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json()["errors"]["__all__"], "This entry could not be read.")

    def test_a_form_post_is_the_wrong_content_type(self) -> None:
        response = self.client.post("/me/sync/", {"kind": "practice"})
        self.assertEqual(response.status_code, 415)
        self.assertIn("sent as JSON", response.json()["errors"]["__all__"])

    @override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=4096)
    def test_a_body_over_the_limit_is_too_large(self) -> None:
        form = {"uid": str(uuid.uuid4()), "sheet": "free-diary", "entries.entry": "x" * 5000}
        response = self.sync(form)
        self.assertEqual(response.status_code, 413)
        self.assertIn("too large to send (at most 4 KB)", response.json()["errors"]["__all__"])
        self.assertFalse(PracticeLog.objects.exists())

    def test_a_signed_out_phone_is_told_so_rather_than_sent_to_the_sign_in_page(self) -> None:
        self.client.logout()
        response = self.sync({"uid": str(uuid.uuid4()), "sheet": "free-diary"})
        self.assertEqual(response.status_code, 401)
        self.assertIn("signed out", response.json()["errors"]["__all__"])
