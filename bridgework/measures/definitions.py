"""Instrument definitions: a FHIR Questionnaire (items with linkId, text and answer options)
plus Bridgework's `scoring` object (docs/instruments.md). Checked on import, with messages
that name the item and the problem."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import jsonschema

OPTION = {
    "type": "object",
    "required": ["valueCoding"],
    "properties": {
        "valueCoding": {
            "type": "object",
            "required": ["code", "display"],
            "properties": {
                "code": {"type": "string", "pattern": "^-?[0-9]+$"},
                "display": {"type": "string", "minLength": 1},
            },
        }
    },
}
ITEM = {
    "type": "object",
    "required": ["linkId", "text", "type"],
    "properties": {
        "linkId": {"type": "string", "minLength": 1},
        "text": {"type": "string", "minLength": 1},
        # choice: one of answerOption; integer: a whole number minValue–maxValue; text.
        "type": {"enum": ["choice", "integer", "text"]},
        "required": {"type": "boolean"},
        "answerOption": {"type": "array", "minItems": 2, "items": OPTION},
        "minValue": {"type": "integer"},
        "maxValue": {"type": "integer"},
    },
    "allOf": [
        {
            "if": {"properties": {"type": {"const": "choice"}}},
            "then": {"required": ["answerOption"]},
        },
        {
            "if": {"properties": {"type": {"const": "integer"}}},
            "then": {"required": ["minValue", "maxValue"]},
        },
    ],
}
SCORE = {
    "type": "object",
    "required": ["id", "method", "items"],
    "properties": {
        "id": {"type": "string"},
        "method": {"enum": ["sum"]},
        "items": {"type": "array", "minItems": 1, "items": {"type": "string"}},
        "reverse": {"type": "array", "items": {"type": "string"}},
        "missing": {
            "type": "object",
            "properties": {"prorate_max_missing": {"type": "integer", "minimum": 0}},
        },
        "bands": {
            "type": "array",
            "items": {"type": "object", "required": ["min", "max", "label"]},
        },
        "cutoff": {"type": "number"},
        "caseness": {"type": "number"},
        "reliable_change": {
            "type": "object",
            "required": ["sd", "reliability"],
            "properties": {
                "sd": {"type": "number", "exclusiveMinimum": 0},
                "reliability": {"type": "number", "exclusiveMinimum": 0, "maximum": 1},
                "threshold": {"type": "number"},
            },
        },
    },
}
FLAG = {
    "type": "object",
    "required": ["id", "kind", "item", "min"],
    "properties": {
        "id": {"type": "string"},
        "kind": {"enum": ["risk"]},
        "item": {"type": "string"},
        "min": {"type": "integer"},
        "text": {"type": "string"},
    },
}
SCHEMA = {
    "type": "object",
    "required": ["resourceType", "url", "version", "title", "status", "item", "scoring"],
    "properties": {
        "resourceType": {"const": "Questionnaire"},
        "url": {"type": "string"},
        "version": {"type": "string"},
        "title": {"type": "string"},
        "status": {"enum": ["draft", "active", "retired"]},
        "item": {"type": "array", "minItems": 1, "items": ITEM},
        "scoring": {
            "type": "object",
            "required": ["scores"],
            "properties": {
                "scores": {"type": "array", "items": SCORE},
                "flags": {"type": "array", "items": FLAG},
            },
        },
    },
}


class DefinitionError(ValueError):
    pass


def check(definition: dict[str, Any]) -> None:
    """Raise DefinitionError naming the item and the problem; return if all is well."""
    problem = jsonschema.exceptions.best_match(
        jsonschema.Draft202012Validator(SCHEMA).iter_errors(definition)
    )
    if problem is not None:
        where = "/".join(str(part) for part in problem.absolute_path) or "the definition"
        raise DefinitionError(f"{where}: {problem.message}")
    link_ids = [item["linkId"] for item in definition["item"]]
    for link_id in link_ids:
        if link_ids.count(link_id) > 1:
            raise DefinitionError(f"item {link_id}: the linkId appears more than once")
    for score in definition["scoring"]["scores"]:
        for name in (*score["items"], *score.get("reverse", [])):
            if name not in link_ids:
                raise DefinitionError(
                    f"score {score['id']}: names item {name}, which the questionnaire does not have"
                )
    for flag in definition["scoring"].get("flags", []):
        if flag["item"] not in link_ids:
            raise DefinitionError(
                f"flag {flag['id']}: names item {flag['item']}, which the "
                "questionnaire does not have"
            )


def options(item: dict[str, Any]) -> dict[int, str]:
    return {
        int(o["valueCoding"]["code"]): o["valueCoding"]["display"]
        for o in item.get("answerOption", [])
    }


@dataclass(frozen=True)
class Score:
    id: str
    value: float | None  # None: too many items missing to score
    band: str
    above_cutoff: bool | None
    prorated: bool


def jacobson_truax(sd: float, reliability: float) -> float:
    """The smallest change that is reliable (|Δ| ≥ 1.96·√2·SD·√(1 − r))."""
    return 1.96 * math.sqrt(2) * sd * math.sqrt(1 - reliability)
