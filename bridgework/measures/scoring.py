"""Scoring a response by its instrument's definition: pure functions, no database."""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from bridgework.lib import text
from bridgework.measures.definitions import Score, jacobson_truax, options


class AnswerError(ValueError):
    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(problems)
        self.problems = problems


def check_answers(definition: dict[str, Any], answers: dict[str, Any]) -> None:
    """Every answer must fit its item: one of a choice's options, a whole number in an integer
    item's range, or text; the problems name the item."""
    items = {item["linkId"]: item for item in definition["item"]}
    problems = {}
    for link_id, value in answers.items():
        item = items.get(link_id)
        if item is None:
            problems[link_id] = f"item {link_id} is not part of this questionnaire"
        elif problem := misfit(item, value):
            problems[link_id] = f"item {link_id}: {problem}"
    if problems:
        raise AnswerError(problems)


def misfit(item: dict[str, Any], value: Any) -> str:
    kind = item["type"]
    if kind == "choice" and value not in options(item):
        allowed = ", ".join(str(v) for v in options(item))
        return f"{value} is not an answer option ({allowed})"
    if kind == "integer" and (
        not isinstance(value, int)
        or isinstance(value, bool)
        or not item["minValue"] <= value <= item["maxValue"]
    ):
        return f"{value} is not a whole number from {item['minValue']} to {item['maxValue']}"
    if kind == "text" and (not isinstance(value, str) or len(value) > 2000):
        return "expected text of at most 2000 characters"
    if kind == "text" and (refusal := text.refused_in(value)):
        return refusal.explanation()
    return ""


def round_half_up(value: float) -> int:
    return int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def score(definition: dict[str, Any], answers: dict[str, int]) -> list[Score]:
    items = {item["linkId"]: item for item in definition["item"]}
    results = []
    for rule in definition["scoring"]["scores"]:
        values = []
        for link_id in rule["items"]:
            if link_id not in answers:
                continue
            value = answers[link_id]
            if link_id in rule.get("reverse", []):
                choices = options(items[link_id])
                value = max(choices) + min(choices) - value
            values.append(value)
        missing = len(rule["items"]) - len(values)
        allowed = rule.get("missing", {}).get("prorate_max_missing", 0)
        total: float | None
        if missing > allowed:
            total = None
        elif missing:
            total = round_half_up(sum(values) / len(values) * len(rule["items"]))
        else:
            total = sum(values)
        results.append(
            Score(
                rule["id"],
                total,
                band(rule, total),
                None if total is None or "cutoff" not in rule else total >= rule["cutoff"],
                missing > 0 and total is not None,
            )
        )
    return results


def stored_scores(definition: dict[str, Any], answers: dict[str, int]) -> dict[str, Any]:
    """The scores as a response (and a competence rating) keeps them: by score id, its value,
    band, whether it is above the cutoff and whether it was prorated."""
    return {
        s.id: {
            "value": s.value,
            "band": s.band,
            "above_cutoff": s.above_cutoff,
            "prorated": s.prorated,
        }
        for s in score(definition, answers)
    }


def band(rule: dict[str, Any], total: float | None) -> str:
    if total is None:
        return ""
    for entry in rule.get("bands", []):
        if entry["min"] <= total <= entry["max"]:
            return str(entry["label"])
    return ""


def reliable_change_threshold(rule: dict[str, Any]) -> float | None:
    """The stored threshold, or Jacobson–Truax from SD and reliability, rounded up on an
    integer scale."""
    change = rule.get("reliable_change")
    if not change:
        return None
    if "threshold" in change:
        return float(change["threshold"])
    return float(math.ceil(jacobson_truax(change["sd"], change["reliability"])))


def raised_flags(definition: dict[str, Any], answers: dict[str, int]) -> list[dict[str, Any]]:
    return [
        flag
        for flag in definition["scoring"].get("flags", [])
        if answers.get(flag["item"], -1) >= flag["min"]
    ]


def total_rule(definition: dict[str, Any]) -> dict[str, Any] | None:
    """The scoring rule of the total, the score that reliable change and the pictures use."""
    rules = definition.get("scoring", {}).get("scores", [])
    return next((rule for rule in rules if rule["id"] == "total"), None)


def clinical_cutoff(rule: dict[str, Any]) -> float | None:
    """Where "recovered" is measured: the caseness threshold (NHS Talking Therapies: PHQ-9 10,
    GAD-7 8) where the definition stores one, else its screening cut-off; at or above it is a
    case."""
    value = rule.get("caseness", rule.get("cutoff"))
    return None if value is None else float(value)


class Change:
    """The Jacobson–Truax status of a course since its baseline."""

    IMPROVED = "improved"
    RECOVERED = "recovered"  # reliably improved and no longer a case
    NO_CHANGE = "no-change"
    DETERIORATED = "deteriorated"


def reliable_status(rule: dict[str, Any], baseline: float, latest: float) -> str:
    """One of Change's values, or "" when the instrument stores no reliable change. Every
    score Bridgework knows counts more symptoms as worse, so a fall is an improvement."""
    threshold = reliable_change_threshold(rule)
    if threshold is None:
        return ""
    change = latest - baseline
    if change >= threshold:
        return Change.DETERIORATED
    if -change < threshold:
        return Change.NO_CHANGE
    cutoff = clinical_cutoff(rule)
    if cutoff is not None and baseline >= cutoff > latest:
        return Change.RECOVERED
    return Change.IMPROVED
