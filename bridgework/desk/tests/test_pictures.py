"""The pictures of a client's course, on the therapist's client page and the client's progress
page: each plan's own scale drawn, every time picture marking the therapy sessions (in the
SVG, the legend, the caption and the table), the reader's voice, and captions that say what is
drawn."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

from django.utils import timezone

from bridgework.accounts import actions as accounts
from bridgework.care import actions as care
from bridgework.measures import actions as measures
from bridgework.plans import actions as plans
from bridgework.plans.models import ActionPlan, PlanTemplate
from bridgework.practice import actions as practice
from bridgework.practice import worksheets
from bridgework.test import BaseTestCase, user_of

DASHED_MARKER = "stroke-dasharray:8,5"  # pygal writes a series' stroke style in its CSS


class PicturesTestCase(BaseTestCase):
    def setUp(self) -> None:
        now = timezone.now()
        self.start = now - timedelta(days=20)
        for days in (14, 7):  # sessions 1 and 2, between the entries
            care.add_session(
                self.client_a,
                therapist=self.therapist_a,
                starts_at=now - timedelta(days=days),
                by=self.therapist_a,
            )
        self.noticing = self.plan("notice-the-pattern", "how competent I was")
        for days, rating in ((18, 20), (10, 45), (3, 70)):
            self.log(self.noticing, days, {"noticed": "I apologised", "rating": rating})
        scale = practice.add_scale(
            self.client_a, by=self.therapist_a, name="Mood", low_anchor="low", high_anchor="high"
        )
        practice.check_in(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            ratings={scale.pk: 40},
            answered_at=now - timedelta(days=2),
        )

    def plan(self, slug: str, scale: str) -> ActionPlan:
        template = PlanTemplate.objects.filter(slug=slug, clinic=None).first()
        assert template is not None, slug
        plan = plans.start_plan(self.client_a, by=self.therapist_a, template=template)
        plan.rating_scale = scale
        plan.save(update_fields=["rating_scale"])
        return plans.agree(plan, by=self.therapist_a)

    def log(self, plan: ActionPlan, days_ago: int, entries: dict[str, Any]) -> None:
        practice.log_practice(
            self.client_a,
            by=user_of(self.client_a),
            uid=uuid.uuid4(),
            plan=plan,
            outcome="done",
            sheet=worksheets.current(plan.worksheet),
            entries=entries,
            practiced_at=timezone.now() - timedelta(days=days_ago),
        )

    def figure(self, page: str, name: str) -> str:
        found = re.search(
            rf'<figure class="card chart" data-chart="{name}">.*?</figure>', page, re.S
        )
        assert found is not None, f"no picture {name}"
        return found.group(0)


class PlanScaleTests(PicturesTestCase):
    def test_the_therapist_sees_the_plans_own_scale_with_the_sessions_marked(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        figure = self.figure(page, f"plan-{self.noticing.pk}")
        self.assertIn("how competent I was", figure)
        self.assertIn("Dashed grey upright lines: the therapy sessions (1, 2).", figure)
        # The table says which session each row falls on or after.
        rows = re.findall(r"<tr><th scope=\"row\">.*?</tr>", figure)
        self.assertEqual(len(rows), 3)
        self.assertIn("<td>20</td><td>—</td>", rows[0])
        self.assertIn("<td>45</td><td>Session 1,", rows[1])
        self.assertIn("<td>70</td><td>Session 2,", rows[2])
        svg = self.client.get(f"/clients/{self.client_a.pk}/charts/plan-{self.noticing.pk}.svg")
        drawn = svg.content.decode()
        self.assertIn("Therapy sessions (dashed)", drawn)  # named in the legend
        self.assertIn(DASHED_MARKER, drawn)

    def test_the_client_sees_their_plans_scale_on_their_progress_page(self) -> None:
        self.sign_in(self.client_a)
        page = self.client.get("/me/progress/").content.decode()
        figure = self.figure(page, f"plan-{self.noticing.pk}")
        self.assertIn("Your ratings of “how competent I was”", figure)
        self.assertIn("the therapy sessions (1, 2)", figure)
        svg = self.client.get(f"/me/progress/plan-{self.noticing.pk}.svg").content.decode()
        self.assertIn(DASHED_MARKER, svg)
        self.assertIn("Therapy sessions (dashed)", svg)

    def test_the_noticing_logs_picture_draws_the_rating_its_scale_names(self) -> None:
        self.log(self.noticing, 1, {"noticed": "I said no", "rating": 85})
        self.sign_in(self.client_a)
        page = self.client.get("/me/progress/").content.decode()
        figure = self.figure(page, f"plan-{self.noticing.pk}")
        values = re.findall(r"<td>(\d+)</td>", figure)
        self.assertEqual(values, ["20", "45", "70", "85"])

    def test_a_scale_that_names_no_field_of_its_worksheet_gets_no_picture(self) -> None:
        # The exposure log's numbers are distress; a picture titled "how proud I was" would
        # draw distress at its highest under the client's own words.
        exposure = self.plan("exposure-step-up-the-ladder", "how proud I was")
        for days, peak in ((9, 80), (2, 60)):
            entries = {"situation": "Bus", "distress_before": 50, "distress_peak": peak}
            self.log(exposure, days, {**entries, "distress_after": 30})
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        self.assertNotIn(f'data-chart="plan-{exposure.pk}"', page)
        self.assertNotIn("how proud I was", page)
        self.sign_in(self.client_a)
        page = self.client.get("/me/progress/").content.decode()
        self.assertNotIn(f'data-chart="plan-{exposure.pk}"', page)
        self.assertIn(f'data-chart="plan-{self.noticing.pk}"', page)

    def test_a_picture_with_no_session_in_its_period_says_so(self) -> None:
        self.sign_in(self.client_a)
        page = self.client.get("/me/progress/").content.decode()
        figure = self.figure(page, "check-ins")  # one check-in, two days ago
        self.assertIn("No therapy session falls in this period.", figure)
        self.assertIn("<td>40</td><td>Session 2,", figure)
        svg = self.client.get("/me/progress/check-ins.svg").content.decode()
        self.assertNotIn(DASHED_MARKER, svg)


class VoiceTests(PicturesTestCase):
    def test_the_therapist_reads_the_staff_voice(self) -> None:
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        self.assertIn("The client&#x27;s ratings of “how competent I was”", page)
        self.assertIn('alt="Check-ins. ', page)  # the picture's title opens its alt text
        self.assertNotIn("Your check-ins", page)
        self.assertNotIn("Your ratings", page)

    def test_the_client_reads_their_own_voice(self) -> None:
        self.sign_in(self.client_a)
        page = self.client.get("/me/progress/").content.decode()
        self.assertIn("Your check-ins", page)
        self.assertNotIn("The client&#x27;s", page)
        self.assertNotIn("The client's", page)


class CaptionTruthTests(PicturesTestCase):
    def setUp(self) -> None:
        super().setUp()
        phq9 = measures.current("phq-9", None)
        assert phq9 is not None
        for days, answer in ((15, 2), (8, 1)):
            measures.respond(
                self.client_a,
                phq9,
                {str(n): answer for n in range(1, 10)},
                by=self.therapist_a,
                completed_at=timezone.now() - timedelta(days=days),
            )
        self.sign_in(self.therapist_a)

    def svg(self, name: str) -> str:
        return self.client.get(f"/clients/{self.client_a.pk}/charts/{name}.svg").content.decode()

    def test_the_engagement_chart_is_drawn_as_the_lines_its_caption_names(self) -> None:
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        caption = self.figure(page, "engagement")
        self.assertIn("Two lines with a dot for each week", caption)
        self.assertNotIn("Bars", caption)
        svg = self.svg("engagement")
        self.assertNotIn('class="rect', svg)  # no bars anywhere
        self.assertIn('class="line reactive nofill"', svg)

    def test_the_cut_off_is_the_one_dotted_line_and_the_grid_is_solid(self) -> None:
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        self.assertIn("The dotted grey line at 10 is the screening cut-off", page)
        svg = self.svg("symptoms")
        self.assertEqual(svg.count("stroke-dasharray:2,4"), 1)  # the cut-off
        # pygal dashes its grid lines unless told not to; these are solid.
        self.assertRegex(svg, r"\.axis \.guide\.line\{stroke-dasharray:none")
        self.assertIn("Cut-off (10)", svg)

    def test_every_time_picture_on_the_client_page_marks_the_sessions(self) -> None:
        page = self.client.get(f"/clients/{self.client_a.pk}/").content.decode()
        names = re.findall(r'data-chart="([a-z0-9-]+)"', page)
        self.assertEqual(
            set(names), {"symptoms", "engagement", "check-ins", f"plan-{self.noticing.pk}"}
        )
        for name in names:
            self.assertIn("On or after", self.figure(page, name))
            caption = self.figure(page, name)
            self.assertTrue(
                "therapy sessions (" in caption or "No therapy session falls" in caption, name
            )


class GermanTests(PicturesTestCase):
    def test_the_clients_pictures_speak_german_sessions_and_all(self) -> None:
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.sign_in(self.client_a)
        page = self.client.get("/me/progress/").content.decode()
        figure = self.figure(page, f"plan-{self.noticing.pk}")
        self.assertIn("Ihre Einschätzungen von „how competent I was“", figure)
        self.assertIn("Gestrichelte graue senkrechte Linien: die Therapiesitzungen (1, 2).", figure)
        self.assertIn('<th scope="col">Seit</th>', figure)
        self.assertIn("<td>Sitzung 1,", figure)
        svg = self.client.get(f"/me/progress/plan-{self.noticing.pk}.svg").content.decode()
        self.assertIn("Therapiesitzungen (gestrichelt)", svg)
