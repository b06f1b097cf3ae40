"""The forest plot: well-formed SVG, one row per study and the pooled diamond with the
prediction interval, accessible, and every number also written as text."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from bridgework.research.forest import forest_svg
from bridgework.research.meta_analysis import meta_analysis

NS = {"svg": "http://www.w3.org/2000/svg"}
RESULT = meta_analysis([-0.89, -1.59, -1.35, 0.01], [0.33, 0.19, 0.42, 0.05], method="REML")
LABELS = ["Aronson", "Ferguson & Simes", "Rosenthal <1960>", "TPT Madras"]


def parsed(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(element: ET.Element) -> list[str]:
    return [text.text or "" for text in element.iter("{http://www.w3.org/2000/svg}text")]


def test_it_parses_as_xml_and_is_an_accessible_image() -> None:
    root = parsed(forest_svg(RESULT, LABELS, title="BCG trials"))
    assert root.get("role") == "img" and root.get("aria-label") == "BCG trials"
    assert root.find("svg:title", NS) is not None
    assert root.find("svg:title", NS).text == "BCG trials"  # type: ignore[union-attr]
    description = root.find("svg:desc", NS).text or ""  # type: ignore[union-attr]
    assert "4 studies" in description and "prediction interval" in description


def test_it_has_one_row_per_study_with_a_square_its_ci_and_its_numbers() -> None:
    root = parsed(forest_svg(RESULT, LABELS))
    rows = root.findall("svg:g[@class='study']", NS)
    assert len(rows) == RESULT.k
    for row, label, effect, weight in zip(rows, LABELS, RESULT.yi, RESULT.weights, strict=True):
        assert row.find("svg:rect", NS) is not None and row.find("svg:line", NS) is not None
        words = texts(row)
        assert words[0] == label  # escaped on the way in, read back as written
        assert words[1].startswith(f"{effect:.2f} [") and words[2] == f"{weight:.1f}%"


def test_heavier_studies_get_bigger_squares() -> None:
    rows = parsed(forest_svg(RESULT)).findall("svg:g[@class='study']", NS)
    sides = [float(row.find("svg:rect", NS).get("width")) for row in rows]  # type: ignore[union-attr, arg-type]
    assert sides.index(max(sides)) == RESULT.weights.index(max(RESULT.weights))


def test_it_draws_the_pooled_diamond_and_the_prediction_interval_with_their_numbers() -> None:
    root = parsed(forest_svg(RESULT))
    pooled = root.findall("svg:g[@class='pooled']", NS)
    assert len(pooled) == 1
    assert len(pooled[0].findall("svg:polygon[@class='diamond']", NS)) == 1
    assert len(pooled[0].findall("svg:line[@class='prediction-interval']", NS)) == 1
    words = texts(pooled[0])
    assert f"{RESULT.estimate:.2f} [{RESULT.ci_lower:.2f}, {RESULT.ci_upper:.2f}]" in words
    assert f"PI {RESULT.prediction_lower:.2f} to {RESULT.prediction_upper:.2f}" in words


def test_study_intervals_stay_normal_under_knapp_hartung() -> None:
    hartung = meta_analysis(RESULT.yi, RESULT.vi, method="REML", knapp_hartung=True)
    first = texts(parsed(forest_svg(hartung)).findall("svg:g[@class='study']", NS)[0])[1]
    low = RESULT.yi[0] - 1.959964 * RESULT.vi[0] ** 0.5
    assert first == f"{RESULT.yi[0]:.2f} [{low:.2f}, {RESULT.yi[0] + (RESULT.yi[0] - low):.2f}]"


def test_exponentiated_plots_print_ratios() -> None:
    root = parsed(forest_svg(RESULT, measure="Risk ratio", exponentiate=True))
    first = texts(root.findall("svg:g[@class='study']", NS)[0])[1]
    assert first.startswith("0.41 [")  # exp(-0.89)


def test_it_refuses_a_wrong_number_of_labels() -> None:
    with pytest.raises(ValueError, match="Give one label per study: 4 studies, 2 labels"):
        forest_svg(RESULT, ["a", "b"])


def axis_title_of(root: ET.Element) -> ET.Element:
    found = root.findall(".//svg:text[@class='axis-title']", NS)
    assert len(found) == 1
    return found[0]


def test_the_axis_is_titled_with_the_effect_measure_inside_the_picture() -> None:
    root = parsed(forest_svg(RESULT, measure="Log risk ratio"))
    title = axis_title_of(root)
    assert title.text == "Log risk ratio"
    assert title.get("text-anchor") == "middle"
    # Below every tick label, and still within the picture's height.
    ticks = [
        float(text.get("y") or 0)
        for text in root.findall("svg:g[@class='axis']/svg:text", NS)
        if text.get("class") != "axis-title"
    ]
    assert max(ticks) < float(title.get("y") or 0) < float(root.get("height") or 0)
    description = root.find("svg:desc", NS).text or ""  # type: ignore[union-attr]
    assert "Horizontal axis: Log risk ratio." in description


def test_the_axis_title_can_be_given_and_says_log_scale_for_ratios() -> None:
    ratios = parsed(forest_svg(RESULT, measure="Risk ratio", exponentiate=True))
    assert axis_title_of(ratios).text == "Risk ratio (log scale)"
    given = parsed(forest_svg(RESULT, axis_title="Standardised mean difference <g>"))
    assert axis_title_of(given).text == "Standardised mean difference <g>"  # escaped, read back
    assert axis_title_of(parsed(forest_svg(RESULT))).text == "Effect"
