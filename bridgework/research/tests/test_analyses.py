from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pandas as pd

from bridgework.research import analyses, recipe
from bridgework.research.export.package import write_package
from bridgework.research.models import Study
from bridgework.research.multilevel import engagement_model
from bridgework.research.tests.reference import expected
from bridgework.research.tests.study_setup import DemoStudyCase
from bridgework.test import BaseTestCase


class DemoStudyAnalysesTests(DemoStudyCase):
    """The demo study's model and the pooling form, as Sam sees them."""

    def test_the_demo_studys_engagement_model_converges_and_finds_both_planted_effects(
        self,
    ) -> None:
        model = analyses.engagement_on_study(self.study).model
        assert model is not None and model.converged
        assert model.clients >= 40 and model.observations >= 300
        # Planted: within −0.8, between −2.5 (demo.research); both negative, and different.
        assert model.within.ci_upper < 0 and model.between.ci_upper < 0
        assert model.between.estimate < model.within.estimate - model.within.se

    def test_the_page_shows_within_and_between_with_their_counts_and_a_sentence(self) -> None:
        page = self.analyses_page()
        assert 'data-effect="within"' in page and 'data-effect="between"' in page
        assert re.search(r"data-clients>\d+<", page) and "data-converged>yes<" in page
        assert "PHQ-9 at the next session was" in page
        assert "data-model-problem" not in page

    def test_the_study_page_links_to_its_analyses(self) -> None:
        page = self.browser.get(f"/research/studies/{self.study.pk}/").content.decode()
        assert f'href="/research/studies/{self.study.pk}/analyses/"' in page

    def test_the_model_on_the_downloaded_files_is_the_model_on_the_page(self) -> None:
        with tempfile.TemporaryDirectory() as folder:
            write_package(self.study, fmt="csv", out_dir=Path(folder))
            tables = {
                name: pd.read_csv(Path(folder) / f"{name}.csv") for name in recipe.MODEL_TABLES
            }
        from_files = engagement_model(recipe.engagement_frame(tables))
        on_page = analyses.engagement_on_study(self.study).model
        assert on_page is not None
        assert abs(from_files.within.estimate - on_page.within.estimate) < 1e-6
        assert abs(from_files.between.estimate - on_page.between.estimate) < 1e-6
        assert from_files.observations == on_page.observations

    def test_the_example_shows_metafors_numbers_for_the_bcg_trials(self) -> None:
        page, wanted = self.analyses_page(), expected("meta_analysis_expected.json")
        rows = {
            "FE": wanted["fixed_effect"],
            "DL": wanted["dersimonian_laird"],
            "REML": wanted["reml"],
            "REML-KH": wanted["reml_knapp_hartung"],
        }
        for method, numbers in rows.items():
            row = re.search(rf'data-method="{method}">(.*?)</tr>', page, re.S)
            assert row is not None, method
            shown = row.group(1)
            for value in (numbers["estimate"], numbers["se"], *numbers["ci"]):
                assert f"{value:.4f}" in shown, (method, value)
        reml = re.search(r'data-method="REML">(.*?)</tr>', page, re.S)
        assert reml is not None
        assert f"{wanted['reml']['tau2']:.4f}" in reml.group(1)
        assert "-1.8667 to 0.4376" in reml.group(1)  # the prediction interval
        assert "Q = 152.2330 on 12 df" in page
        assert page.count("<svg") >= 1 and "Aronson 1948" in page

    def test_pasted_studies_are_pooled_the_same_way(self) -> None:
        answer = self.browser.post(
            f"/research/studies/{self.study.pk}/analyses/",
            {"studies": "Smith 2019, -0.42, 0.05\nJones 2021; -0.18; 0.032\nOkoro\t-0.55\t0.081"},
        )
        page = answer.content.decode()
        assert 'data-pooled="yours"' in page and "Okoro" in page
        assert page.count("<svg") == 2

    def test_fewer_than_two_studies_are_refused_on_the_form(self) -> None:
        page = self.post_studies("Smith 2019, -0.42, 0.05")
        assert "Give at least two studies" in page
        assert 'data-pooled="yours"' not in page

    def test_a_variance_that_is_not_positive_is_refused_on_the_form(self) -> None:
        page = self.post_studies("Smith 2019, -0.42, 0.05\nJones 2021, -0.18, 0")
        assert "Line 2: the variance must be a positive number" in page
        assert 'data-pooled="yours"' not in page

    def test_a_line_that_is_not_three_numbers_is_refused_on_the_form(self) -> None:
        page = self.post_studies("Smith 2019, -0.42, 0.05\nJones 2021, a lot, 0.1")
        assert "Line 2: “a lot” is not a number." in page

    def test_studies_pasted_with_semicolons_and_decimal_commas_are_pooled(self) -> None:
        page = self.post_studies(
            "Müller, Weber 2019; -0,42; 0,05\nJones 2021; -0,18; 0,032\nOkoro 2023\t-0,55\t0,081"
        )
        assert 'data-pooled="yours"' in page and "Müller, Weber 2019" in page
        assert "-0.42 [" in page  # the first study's effect, read as -0.42

    def test_the_form_says_its_rule_for_separators_and_decimal_marks(self) -> None:
        page = self.analyses_page()
        assert "Put tabs (cells copied from a spreadsheet) or semicolons" in page
        assert "then write decimals with a point (0.25)" in page

    def test_an_ambiguous_comma_is_refused_naming_its_line(self) -> None:
        page = self.post_studies("Smith 2019, -0.42, 0.05\nJones 2021, -0,18, 0,032")
        assert "Line 2: with commas between the fields" in page
        assert 'data-pooled="yours"' not in page

    def test_tiny_p_values_read_below_a_ten_thousandth_never_zero(self) -> None:
        page = self.analyses_page()
        assert "Q = 152.2330 on 12 df (p &lt; 0.0001)" in page  # metafor: p < .0001
        assert "p = 0.0000" not in page
        p_cells = re.findall(r'data-effect="\w+">.*<td>([^<]*)</td></tr>', page)
        assert len(p_cells) == 3 and "0.0000" not in p_cells
        assert "&lt; 0.0001" in p_cells  # time: PHQ-9 falls over the weeks, p far below

    def test_the_forest_plots_axis_is_titled_with_the_effects_name(self) -> None:
        assert '<text class="axis-title"' in self.analyses_page()
        page = self.post_studies_as("A; 0,1; 0,02\nB; 0,3; 0,04", measure="Hedges' g")
        assert "Hedges&#x27; g</text>" in page

    def post_studies(self, text: str) -> str:
        return self.post_studies_as(text, measure="")

    def post_studies_as(self, text: str, *, measure: str) -> str:
        answer = self.browser.post(
            f"/research/studies/{self.study.pk}/analyses/", {"studies": text, "measure": measure}
        )
        assert answer.status_code == 200
        return answer.content.decode()


class TooLittleDataTests(BaseTestCase):
    def test_a_study_with_too_few_clients_gets_a_message_never_a_number(self) -> None:
        frame = pd.DataFrame(
            {
                "client": ["a", "a", "a", "b", "b", "b"],
                "session": [1, 2, 3, 1, 2, 3],
                "engagement": [1, 3, None, 2, 4, None],
                "symptoms": [15, 14, 12, 18, 16, 15],
            }
        )
        result = analyses.fit(frame)
        assert result.model is None
        assert "Too few data for the model: 2 clients and 4 sessions" in result.problem

    def test_a_study_without_the_models_tables_says_which_it_lacks(self) -> None:
        study = Study(clinic=self.clinic, name="Prompts only", tables=["clients", "prompts"])
        result = analyses.engagement_on_study(study)
        assert result.model is None
        assert "sessions, reviews, measure_responses" in result.problem


def test_each_review_speaks_of_the_week_after_the_session_before_it() -> None:
    """A plan set in session 1 and kept ("continue") is reviewed in sessions 2 and 3: each
    review's `done` belongs to the week it speaks of, after session 1 and after session 2."""
    sessions = pd.DataFrame(
        {
            "session_id": ["S1", "S2", "S3", "S4"],
            "client_id": ["C1"] * 4,
            "number": [1, 2, 3, 4],
            "starts_at": pd.date_range("2026-01-05", periods=4, freq="7D", tz="UTC"),
        }
    )
    reviews = pd.DataFrame({"plan_id": ["P1", "P1"], "session_id": ["S2", "S3"], "done": [1, 4]})
    responses = pd.DataFrame(
        {
            "session_id": ["S1", "S2", "S3", "S4"],
            "instrument": ["phq-9"] * 4,
            "total": [18, 16, 12, 9],
        }
    )
    frame = recipe.engagement_frame(
        {"sessions": sessions, "reviews": reviews, "measure_responses": responses}
    )
    assert frame["engagement"].tolist()[:2] == [1.0, 4.0]
    assert frame["engagement"][2:].isna().all()
    assert frame["time"].tolist() == [0.0, 1.0, 2.0, 3.0]
