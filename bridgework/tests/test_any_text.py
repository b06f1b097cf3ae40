"""Any text at all, into every text field of the phone's sync and of the plan editor: never an
error page, and whatever was stored shows on every page that shows it and comes back, as it
was stored, in the client's data download. Runs on SQLite and on PostgreSQL (the suites)."""

from __future__ import annotations

import json
import uuid
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.template.defaultfilters import linebreaksbr
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from bridgework.plans import actions as plans
from bridgework.plans.forms import PlanForm
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.practice import worksheets
from bridgework.practice.models import PracticeLog
from bridgework.practice.outbox import owner_of
from bridgework.test import BaseTestCase, user_of

# Words of every kind (scripts, marks, symbols, emoji, unassigned code points, tabs and line
# ends in every convention) fill each field; one field may instead get anything at all, lone
# surrogates and control characters included. So about half the examples pass the text rule
# and are stored.
PRINTABLE = st.characters(
    categories=("L", "M", "N", "P", "S", "Z", "Cf", "Co", "Cn"), include_characters="\t\n\r"
)
WORDS = st.text(PRINTABLE, min_size=1, max_size=30)
# A list joined rather than st.text(): st.text() all but never draws a surrogate, even when
# its alphabet holds them.
ANYTHING = st.lists(
    st.one_of(st.characters(categories=["Cs"]), st.characters(categories=["Cc"]), PRINTABLE),
    max_size=30,
).map("".join)
# Each example opens a dozen pages; thirty of them find what a thousand would, in seconds.
EXAMPLES = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def texts_for(words: list[str], anything: list[str]) -> st.SearchStrategy[dict[str, str]]:
    """Words in every field of `words`; perhaps one field of either list spoilt."""
    spoilt = st.one_of(st.none(), st.tuples(st.sampled_from([*words, *anything]), ANYTHING))
    return st.builds(
        lambda texts, spoil: texts | dict([spoil] if spoil else []),
        st.fixed_dictionaries({name: WORDS for name in words}),
        spoilt,
    )


SHEET = worksheets.current("thought-record")


def sheet_fields() -> tuple[list[str], dict[str, str]]:
    """The worksheet's text fields (the first row of each list) and a valid rating for each
    of its numbers, by form name."""
    texts, numbers = [], {}
    for part in worksheets.layout(SHEET):
        fields = part.rows[0] if isinstance(part, worksheets.Group) else [part]
        for field in fields:
            if field.widget in ("text", "textarea"):
                texts.append(f"entries.{field.name}")
            elif field.widget != "checkbox":
                numbers[f"entries.{field.name}"] = "50"
    return texts, numbers


SHEET_TEXTS, SHEET_NUMBERS = sheet_fields()
SYNC_TEXTS = [*SHEET_TEXTS, "note", "obstacles_note"]
SYNC_OTHERS = ["practiced_at", "duration_minutes", "outcome", "plan", "sheet", "uid"]
PLAN_TEXTS = [
    name
    for name, field in PlanForm.base_fields.items()
    if isinstance(field, forms.CharField) and not isinstance(field, forms.ChoiceField)
]
OBSTACLE_TEXTS = ["obstacles-0-description", "obstacles-0-coping_plan"]


class AnyTextTests(HypothesisTestCase, BaseTestCase):
    plan: ActionPlan

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        template = PlanTemplate.objects.get(slug="catch-a-hot-thought", clinic=None)
        draft = plans.start_plan(cls.client_a, by=cls.therapist_a, template=template)
        cls.plan = plans.agree(draft, by=cls.therapist_a)
        assert cls.plan.worksheet == SHEET.slug

    def pages_show(self, as_client: list[str], as_therapist: list[str]) -> None:
        for person, urls in ((self.client_a, as_client), (self.therapist_a, as_therapist)):
            self.sign_in(person)
            for url in urls:
                self.assertEqual(self.client.get(url).status_code, 200, url)

    def my_data(self) -> dict[str, Any]:
        self.sign_in(self.client_a)
        response = self.client.post("/me/my-data/")
        self.assertEqual(response.status_code, 200)
        return dict(json.loads(response.content.decode("utf-8")))

    @EXAMPLES
    @given(texts_for(SYNC_TEXTS, SYNC_OTHERS))
    def test_any_text_the_phone_sends_is_refused_or_shown_everywhere(
        self, texts: dict[str, str]
    ) -> None:
        self.sign_in(self.client_a)
        form = {"uid": str(uuid.uuid4()), "plan": self.plan.pk, "sheet": SHEET.slug}
        form |= {"outcome": "done", **SHEET_NUMBERS, **texts}
        response = self.client.post(
            "/me/sync/",
            json.dumps(
                {"kind": "practice", "owner": owner_of(user_of(self.client_a)), "form": form}
            ),
            content_type="application/json",
        )
        self.assertIn(response.status_code, (201, 400))
        self.assertIsInstance(response.json(), dict)
        log = PracticeLog.objects.first()  # each example starts with none
        self.assertEqual(log is not None, response.status_code == 201)
        if log is None:
            return
        detail = f"/practice/{log.pk}/"
        self.pages_show(
            ["/me/", "/me/history/", detail, f"/me/plans/{self.plan.pk}/", "/me/progress/"],
            [f"/clients/{self.client_a.pk}/", f"/plans/{self.plan.pk}/", detail],
        )
        self.sign_in(self.therapist_a)
        self.assertEqual(self.client.get(f"/plans/{self.plan.pk}/review/").status_code, 200)
        shown = self.client.get(detail).content.decode()
        for name, value in [*log.entries.items(), ("note", log.note)]:
            if isinstance(value, str) and value:
                self.assertIn(linebreaksbr(value, autoescape=True), shown, name)
        copied = next(entry for entry in self.my_data()["practice"] if entry["uid"] == str(log.uid))
        self.assertEqual(
            (copied["entries"], copied["note"], copied["obstacles_note"]),
            (log.entries, log.note, log.obstacles_note),
        )

    @EXAMPLES
    @given(texts_for([*PLAN_TEXTS, *OBSTACLE_TEXTS], []))
    def test_any_text_typed_in_the_plan_editor_is_refused_or_shown_everywhere(
        self, texts: dict[str, str]
    ) -> None:
        self.sign_in(self.therapist_a)
        plan = ActionPlan.objects.get(pk=self.plan.pk)
        fields = {**self.editor_fields(plan), **texts}
        fields |= {
            "obstacles-TOTAL_FORMS": "1",
            "obstacles-INITIAL_FORMS": "0",
            "obstacles-0-kind": "practical",
        }
        # As a browser would send it; a lone surrogate goes as the bytes a careless encoder
        # makes of it (a browser itself sends U+FFFD instead).
        body = urlencode(fields, doseq=True, errors="surrogatepass")
        response = self.client.post(
            f"/plans/{plan.pk}/edit/", body, content_type="application/x-www-form-urlencoded"
        )
        self.assertIn(response.status_code, (200, 302))
        plan.refresh_from_db()
        if response.status_code == 200:
            self.assertEqual(plan.version, self.plan.version)  # refused: nothing changed
            return
        at = f"/plans/{plan.pk}/"
        self.pages_show(
            ["/me/", f"/me/plans/{plan.pk}/", f"{at}summary/"],
            [at, f"{at}review/", f"{at}summary.pdf", f"/clients/{self.client_a.pk}/"],
        )
        copied = next(entry for entry in self.my_data()["plans"] if entry["title"] == plan.title)
        for name in PLAN_TEXTS:
            self.assertEqual(copied[name], getattr(plan, name), name)
        self.assertEqual(
            copied["obstacles"],
            [
                {"description": o.description, "coping_plan": o.coping_plan}
                for o in plan.obstacles.all()
            ],
        )

    def editor_fields(self, plan: ActionPlan) -> dict[str, Any]:
        """What the editor's form holds for the plan as it stands."""
        form = PlanForm(instance=plan)
        values: dict[str, Any] = {}
        for name in form.fields:
            value = form[name].value()
            if isinstance(value, (list, tuple)):
                values[name] = [str(item) for item in value]
            elif value not in (None, False):
                values[name] = str(value)
        return values
