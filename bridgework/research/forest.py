"""A forest plot of a `MetaAnalysis` as SVG text, pure Python (no Django, no JavaScript).

One row per study (its label, a square sized by its weight on its estimate, the CI as a line,
and the numbers as text beside it), then the pooled estimate as a diamond spanning its CI, with
the prediction interval as a line through it, and an axis with a line at no effect and the
effect measure's name beneath it as its title. The SVG
carries `role="img"`, an aria-label, a `<title>` and a `<desc>`, so a screen reader says what it
shows, and every number is also text, so nothing is only in the picture.

Why hand-written: statsmodels' `plot_forest` needs matplotlib (not installed in the web app),
and the plot is a few dozen rects, lines and texts.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape

from scipy import stats

from bridgework.research.meta_analysis import MetaAnalysis

__all__ = ["ForestWords", "forest_svg"]

_ROW = 24
_TOP = 40
_LABEL_X = 10
_PLOT_LEFT = 230
_PLOT_RIGHT = 530
_NUMBERS_X = 545
_WIDTH = 760
_MAX_SQUARE = 14
_AXIS_TITLE = 18  # the room under the tick labels for the axis title
_RATIO_TICKS = (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)


@dataclass(frozen=True)
class ForestWords:
    """The plot's own words, English unless a caller passes others: the toolkit imports no
    Django, so the analyses page hands in its language's (research.analyses). Each is a
    str.format template; a translation may leave out a field it does not need."""

    study: str = "Study"
    weight: str = "Weight"
    # {measure}: the effect's name; {level}: the confidence level, e.g. 95%
    interval_heading: str = "{measure} [{level} CI]"
    # {method}: FE, DL, REML or PM
    pooled: str = "{method} model"
    pooled_knapp_hartung: str = "{method} model (Knapp–Hartung)"
    method_knapp_hartung: str = "{method} with Knapp–Hartung"
    prediction: str = "PI {low} to {high}"
    log_scale: str = "{measure} (log scale)"
    summary: str = (
        "{k} studies. {measure}, pooled ({method}): {interval}, prediction interval "
        "{low} to {high}; I² {i2}%, τ² {tau2}. Horizontal axis: {axis}."
    )


ENGLISH = ForestWords()


def forest_svg(
    result: MetaAnalysis,
    labels: Sequence[str] | None = None,
    *,
    title: str = "Forest plot",
    measure: str = "Effect",
    exponentiate: bool = False,
    id_prefix: str = "forest",
    axis_title: str | None = None,
    words: ForestWords = ENGLISH,
) -> str:
    """The SVG text of a forest plot of `result`.

    `labels` name the studies (default "Study 1" …); `measure` names the effect for the column
    heading ("Log risk ratio", or "Risk ratio" with `exponentiate=True`, which draws on the log
    scale but prints and ticks exp of every number); `axis_title` is written under the axis
    (default: `measure`, with "(log scale)" when exponentiated); `id_prefix` keeps the ids
    unique when a page shows several plots; `words` are the plot's own words (headings, the
    pooled row, the description), English by default."""
    names = list(labels) if labels is not None else [f"Study {i}" for i in range(1, result.k + 1)]
    if len(names) != result.k:
        raise ValueError(f"Give one label per study: {result.k} studies, {len(names)} labels.")
    # Each study's own CI is a normal one, even when the pooled test is Knapp–Hartung's t.
    crit = float(stats.norm.isf((1 - result.level) / 2))
    lows = [y - crit * math.sqrt(v) for y, v in zip(result.yi, result.vi, strict=True)]
    highs = [y + crit * math.sqrt(v) for y, v in zip(result.yi, result.vi, strict=True)]
    scale = _Scale(
        min([*lows, result.prediction_lower, 0.0]), max([*highs, result.prediction_upper, 0.0])
    )
    shown = _display(exponentiate)
    height = _TOP + _ROW * (result.k + 3) + 30 + _AXIS_TITLE
    axis = axis_title or (words.log_scale.format(measure=measure) if exponentiate else measure)
    parts = [_opening(result, title, measure, words, exponentiate, id_prefix, height, axis)]
    parts.append(_heading(measure, result.level, words))
    for row, (name, y, low, high, weight) in enumerate(
        zip(names, result.yi, lows, highs, result.weights, strict=True)
    ):
        parts.append(_study(row, name, y, low, high, weight, max(result.weights), scale, shown))
    parts.append(_pooled(result, scale, shown, words))
    parts.append(_axis(scale, result.k, exponentiate, axis))
    parts.append("</svg>")
    return "\n".join(parts)


class _Scale:
    """Maps an effect to an x position in the plot area, padded by 5% either side."""

    def __init__(self, low: float, high: float) -> None:
        pad = (high - low) * 0.05 or 1.0
        self.low, self.high = low - pad, high + pad

    def x(self, value: float) -> float:
        share = (value - self.low) / (self.high - self.low)
        return round(_PLOT_LEFT + share * (_PLOT_RIGHT - _PLOT_LEFT), 2)


def _display(exponentiate: bool) -> Callable[[float], float]:
    return math.exp if exponentiate else float


def _number(value: float) -> str:
    return f"{value:.2f}"


def _interval_text(estimate: float, low: float, high: float) -> str:
    return f"{_number(estimate)} [{_number(low)}, {_number(high)}]"


def _opening(
    result: MetaAnalysis,
    title: str,
    measure: str,
    words: ForestWords,
    exponentiate: bool,
    prefix: str,
    height: int,
    axis: str,
) -> str:
    shown = _display(exponentiate)
    method: str = result.method
    if result.knapp_hartung:
        method = words.method_knapp_hartung.format(method=result.method)
    summary = words.summary.format(
        k=result.k,
        measure=measure,
        method=method,
        interval=_interval_text(
            shown(result.estimate), shown(result.ci_lower), shown(result.ci_upper)
        ),
        low=_number(shown(result.prediction_lower)),
        high=_number(shown(result.prediction_upper)),
        i2=f"{result.I2:.1f}",
        tau2=f"{result.tau2:.4f}",
        axis=axis,
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_WIDTH}" height="{height}" '
        f'viewBox="0 0 {_WIDTH} {height}" role="img" aria-label="{escape(title)}" '
        f'aria-labelledby="{prefix}-title {prefix}-desc" font-family="sans-serif" font-size="12">'
        f'\n<title id="{prefix}-title">{escape(title)}</title>'
        f'\n<desc id="{prefix}-desc">{escape(summary)}</desc>'
    )


def _heading(measure: str, level: float, words: ForestWords) -> str:
    y = _TOP - 14
    heading = words.interval_heading.format(measure=measure, level=f"{level:.0%}")
    return (
        f'<g class="heading" font-weight="bold">'
        f'<text x="{_LABEL_X}" y="{y}">{escape(words.study)}</text>'
        f'<text x="{_NUMBERS_X}" y="{y}">{escape(heading)}</text>'
        f'<text x="{_WIDTH - 10}" y="{y}" text-anchor="end">{escape(words.weight)}</text></g>'
    )


def _study(
    row: int,
    name: str,
    effect: float,
    low: float,
    high: float,
    weight: float,
    heaviest: float,
    scale: _Scale,
    shown: Callable[[float], float],
) -> str:
    y = _TOP + _ROW * row + _ROW / 2
    side = max(3.0, _MAX_SQUARE * math.sqrt(weight / heaviest))
    cx = scale.x(effect)
    numbers = _interval_text(shown(effect), shown(low), shown(high))
    return (
        f'<g class="study">'
        f'<text x="{_LABEL_X}" y="{y + 4}">{escape(name)}</text>'
        f'<line x1="{scale.x(low)}" y1="{y}" x2="{scale.x(high)}" y2="{y}" stroke="black"/>'
        f'<rect x="{round(cx - side / 2, 2)}" y="{round(y - side / 2, 2)}" width="{round(side, 2)}"'
        f' height="{round(side, 2)}" fill="#1f4e79"/>'
        f'<text x="{_NUMBERS_X}" y="{y + 4}">{numbers}</text>'
        f'<text x="{_WIDTH - 10}" y="{y + 4}" text-anchor="end">{weight:.1f}%</text></g>'
    )


def _pooled(
    result: MetaAnalysis, scale: _Scale, shown: Callable[[float], float], words: ForestWords
) -> str:
    y = _TOP + _ROW * (result.k + 0.5) + _ROW / 2
    top, bottom = y - 7, y + 7
    left, middle, right = (
        scale.x(result.ci_lower),
        scale.x(result.estimate),
        scale.x(result.ci_upper),
    )
    label = (words.pooled_knapp_hartung if result.knapp_hartung else words.pooled).format(
        method=result.method
    )
    numbers = _interval_text(shown(result.estimate), shown(result.ci_lower), shown(result.ci_upper))
    prediction = words.prediction.format(
        low=_number(shown(result.prediction_lower)), high=_number(shown(result.prediction_upper))
    )
    return (
        f'<g class="pooled">'
        f'<text x="{_LABEL_X}" y="{y + 4}" font-weight="bold">{escape(label)}</text>'
        f'<line class="prediction-interval" x1="{scale.x(result.prediction_lower)}" y1="{y}" '
        f'x2="{scale.x(result.prediction_upper)}" y2="{y}" stroke="#666" stroke-dasharray="4 3"/>'
        f'<polygon class="diamond" points="{left},{y} {middle},{top} {right},{y} {middle},{bottom}"'
        f' fill="#7f1d1d"/>'
        f'<text x="{_NUMBERS_X}" y="{y + 4}" font-weight="bold">{numbers}</text>'
        f'<text x="{_NUMBERS_X}" y="{y + 18}" fill="#444">{prediction}</text></g>'
    )


def _ticks(scale: _Scale, exponentiate: bool) -> list[tuple[float, str]]:
    if exponentiate:
        ratios = [r for r in _RATIO_TICKS if scale.low <= math.log(r) <= scale.high]
        return [(math.log(r), f"{r:g}") for r in ratios]
    raw = (scale.high - scale.low) / 5
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.ceil(scale.low / step)
    ticks = [i * step for i in range(first, math.floor(scale.high / step) + 1)]
    return [(t, f"{t:g}") for t in ticks]


def _axis(scale: _Scale, k: int, exponentiate: bool, title: str) -> str:
    bottom = _TOP + _ROW * (k + 2) + 6
    null = scale.x(0.0)
    parts = [
        '<g class="axis">',
        f'<line x1="{null}" y1="{_TOP - 4}" x2="{null}" y2="{bottom}" stroke="#999"/>',
        f'<line x1="{_PLOT_LEFT}" y1="{bottom}" x2="{_PLOT_RIGHT}" y2="{bottom}" stroke="black"/>',
    ]
    for value, text in _ticks(scale, exponentiate):
        x = scale.x(value)
        parts.append(f'<line x1="{x}" y1="{bottom}" x2="{x}" y2="{bottom + 4}" stroke="black"/>')
        parts.append(f'<text x="{x}" y="{bottom + 16}" text-anchor="middle">{text}</text>')
    middle = (_PLOT_LEFT + _PLOT_RIGHT) / 2
    parts.append(
        f'<text class="axis-title" x="{middle}" y="{bottom + 16 + _AXIS_TITLE}" '
        f'text-anchor="middle" font-weight="bold">{escape(title)}</text>'
    )
    parts.append("</g>")
    return "".join(parts)
