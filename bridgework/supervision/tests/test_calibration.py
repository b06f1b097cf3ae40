"""Agreement between two raters: the calibration pages."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from bridgework.accounts.models import Supervision, User
from bridgework.care import actions as care
from bridgework.care.models import TherapySession
from bridgework.lib import agreement
from bridgework.measures import library
from bridgework.measures.models import Instrument
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.tests.helpers import answers, rate, shipped_scale
from bridgework.test import BaseTestCase, make_staff

SUBMITTED, DRAFT = CompetenceRating.State.SUBMITTED, CompetenceRating.State.DRAFT
# The first rater's item "rationale" and the second's, session by session.
FIRST = [0, 2, 4, 6, 3, 5]
SECOND = [1, 2, 5, 6, 2, 5]


class CalibrationTestCase(BaseTestCase):
    second: User
    scale: Instrument
    sessions: list[TherapySession]

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.second = make_staff(cls.clinic, "second_supervisor", "supervisor")
        Supervision.objects.create(supervisor=cls.second, supervisee=cls.therapist_a)
        cls.scale = shipped_scale()
        start = timezone.now() - timedelta(days=60)
        cls.sessions = [
            care.add_session(
                cls.client_a,
                therapist=cls.therapist_a,
                starts_at=start + timedelta(weeks=week),
                by=cls.therapist_a,
            )
            for week in range(len(FIRST))
        ]

    def rate(
        self, rater: User, session: TherapySession, rationale: int, state: str = SUBMITTED
    ) -> CompetenceRating:
        return rate(session, rater, answers(3, rationale=rationale), submitted=state == SUBMITTED)

    def rate_all(self) -> None:
        for session, first, second in zip(self.sessions, FIRST, SECOND, strict=True):
            self.rate(self.supervisor, session, first)
            self.rate(self.second, session, second)


class AgreementPagesTests(CalibrationTestCase):
    def test_it_lists_the_other_rater_with_the_sessions_both_rated(self) -> None:
        self.rate_all()
        self.sign_in(self.supervisor)
        response = self.client.get("/supervision/agreement/")
        self.assertContains(
            response, f'href="/supervision/agreement/{self.second.pk}/{self.scale.pk}/"'
        )
        self.assertEqual(response.context["partners"], [(self.second, self.scale, 6)])

    def test_it_reports_the_iccs_of_an_item_as_the_agreement_module_computes_them(self) -> None:
        self.rate_all()
        self.sign_in(self.supervisor)
        response = self.client.get(f"/supervision/agreement/{self.second.pk}/{self.scale.pk}/")
        expected = agreement.icc(list(zip(FIRST, SECOND, strict=True)))
        rationale = next(i for i in response.context["items"] if i.link_id == "rationale")
        self.assertEqual(rationale.rated_by_both, 6)
        for form in expected.forms:
            self.assertAlmostEqual(rationale.result[form.name].value, form.value, places=10)
        self.assertContains(response, f"{expected['ICC(2,1)'].value:.2f}")
        # Every other item was scored 3 by both: no variance, which cannot be computed.
        specifics = next(i for i in response.context["items"] if i.link_id == "specifics")
        self.assertIsNone(specifics.result["ICC(2,1)"].value)
        self.assertContains(response, "cannot be computed")

    def test_it_puts_the_item_the_raters_disagree_on_first(self) -> None:
        self.rate_all()
        self.sign_in(self.second)
        response = self.client.get(f"/supervision/agreement/{self.supervisor.pk}/{self.scale.pk}/")
        apart = response.context["apart"]
        self.assertEqual(apart[0].link_id, "rationale")
        self.assertAlmostEqual(apart[0].mean_difference, 3 / 6)
        self.assertEqual(apart[1].mean_difference, 0)
        totals = [d.difference for d, _pair in response.context["furthest"]]
        self.assertEqual(sorted(map(abs, totals), reverse=True), list(map(abs, totals)))

    def test_a_rating_still_in_draft_is_left_out_so_neither_sees_the_other_early(self) -> None:
        self.rate(self.supervisor, self.sessions[0], 2)
        self.rate(self.second, self.sessions[0], 4, state=DRAFT)
        self.sign_in(self.supervisor)
        self.assertEqual(self.client.get("/supervision/agreement/").context["partners"], [])
        response = self.client.get(f"/supervision/agreement/{self.second.pk}/{self.scale.pk}/")
        self.assertEqual(response.status_code, 404)

    def test_self_ratings_do_not_count_as_a_second_rater(self) -> None:
        self.rate(self.supervisor, self.sessions[0], 2)
        self.rate(self.therapist_a, self.sessions[0], 6)
        self.sign_in(self.supervisor)
        self.assertEqual(self.client.get("/supervision/agreement/").context["partners"], [])

    def test_one_session_rated_by_both_gives_no_iccs_but_says_why(self) -> None:
        self.rate(self.supervisor, self.sessions[0], 2)
        self.rate(self.second, self.sessions[0], 4)
        self.sign_in(self.supervisor)
        response = self.client.get(f"/supervision/agreement/{self.second.pk}/{self.scale.pk}/")
        self.assertContains(response, "Agreement needs at least two sessions rated by both.")
        self.assertIsNone(response.context["total"].result)

    def test_someone_who_rated_nothing_with_them_finds_no_such_page(self) -> None:
        self.rate_all()
        for outsider in (self.therapist_b, self.other_admin, self.therapist_a):
            self.sign_in(outsider)
            url = f"/supervision/agreement/{self.second.pk}/{self.scale.pk}/"
            self.assertEqual(self.client.get(url).status_code, 404, outsider)
        self.sign_in(self.client_a)
        self.assertEqual(self.client.get("/supervision/agreement/").status_code, 404)


# A clinic's own scale with a whole-number item (0–10) beside a choice item.
INTEGER_SCALE = {
    "resourceType": "Questionnaire",
    "url": "https://clinic.invalid/fhir/Questionnaire/made-up-integer",
    "title": "Made-up scale with a number item",
    "version": "1",
    "status": "active",
    "subjectType": ["Practitioner"],
    "item": [
        {
            "linkId": "warmth",
            "text": "Warmth, 0 to 10",
            "type": "integer",
            "required": True,
            "minValue": 0,
            "maxValue": 10,
        },
        {
            "linkId": "pace",
            "text": "Pace",
            "type": "choice",
            "required": True,
            "answerOption": [
                {"valueCoding": {"code": str(v), "display": f"Pace {v}"}} for v in range(3)
            ],
        },
        {"linkId": "notes", "text": "Notes", "type": "text"},
    ],
    "scoring": {"scores": [{"id": "total", "method": "sum", "items": ["warmth", "pace"]}]},
}


class ImportedScaleAgreementTests(CalibrationTestCase):
    def test_every_item_that_takes_a_rating_is_compared_whole_numbers_included(self) -> None:
        scale = library.install(INTEGER_SCALE, clinic=self.clinic, by=self.admin)
        for session, first, second in zip(self.sessions, (2, 5, 9), (3, 5, 8), strict=False):
            rate(session, self.supervisor, {"warmth": first, "pace": 1}, scale=scale)
            rate(session, self.second, {"warmth": second, "pace": 2}, scale=scale)
        self.sign_in(self.supervisor)
        response = self.client.get(f"/supervision/agreement/{self.second.pk}/{scale.pk}/")
        items = {item.link_id: item for item in response.context["items"]}
        self.assertEqual(list(items), ["warmth", "pace"])  # the text item takes no rating
        self.assertEqual(items["warmth"].rated_by_both, 3)
        expected = agreement.icc([(2, 3), (5, 5), (9, 8)])
        self.assertAlmostEqual(
            items["warmth"].result["ICC(2,1)"].value, expected["ICC(2,1)"].value, places=10
        )
        self.assertEqual(response.context["total"].text, "Total")
