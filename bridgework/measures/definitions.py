"""Instrument definitions: a FHIR Questionnaire (items with linkId, text and answer options)
plus Bridgework's `scoring` object (docs/instruments.md). Checked on import, with messages
that name the item and the problem."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import jsonschema

from bridgework.lib import text

# Wording in other languages rides on FHIR's translation extension, on the element's
# "_<name>" sibling: {"_text": {"extension": [{"url": TRANSLATION, "extension":
# [{"url": "lang", "valueCode": "de"}, {"url": "content", "valueString": "…"}]}]}}.
TRANSLATION = "http://hl7.org/fhir/StructureDefinition/translation"
TRANSLATED = {
    "type": "object",
    "required": ["extension"],
    "properties": {
        "extension": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["url", "extension"],
                "properties": {
                    "url": {"const": TRANSLATION},
                    "extension": {
                        "type": "array",
                        "prefixItems": [
                            {
                                "type": "object",
                                "required": ["url", "valueCode"],
                                "properties": {
                                    "url": {"const": "lang"},
                                    "valueCode": {
                                        "type": "string",
                                        "pattern": "^[a-z]{2}(-[A-Z]{2})?$",
                                    },
                                },
                            },
                            {
                                "type": "object",
                                "required": ["url", "valueString"],
                                "properties": {
                                    "url": {"const": "content"},
                                    "valueString": {"type": "string", "minLength": 1},
                                },
                            },
                        ],
                        "minItems": 2,
                        "maxItems": 2,
                    },
                },
            },
        }
    },
}
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
                "_display": TRANSLATED,
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
        "_text": TRANSLATED,
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
            "items": {
                "type": "object",
                "required": ["min", "max", "label"],
                "properties": {
                    "min": {"type": "number"},
                    "max": {"type": "number"},
                    "label": {"type": "string"},
                },
            },
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
        "_title": TRANSLATED,
        "_description": TRANSLATED,
        "_copyright": TRANSLATED,
        "status": {"enum": ["draft", "active", "retired"]},
        # Who the answers are about: a client (the default) or, for a competence scale, the
        # therapist whose work is rated (supervision).
        "subjectType": {
            "type": "array",
            "minItems": 1,
            "maxItems": 1,
            "items": {"enum": ["Patient", "Practitioner"]},
        },
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
    refused = text.first_refused(definition)
    if refused is not None:
        raise DefinitionError(f"{refused[0]}: {refused[1].explanation()}")
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
    kinds = {item["linkId"]: item["type"] for item in definition["item"]}
    for score in definition["scoring"]["scores"]:
        check_score(score, kinds)
    for flag in definition["scoring"].get("flags", []):
        if flag["item"] not in link_ids:
            raise DefinitionError(
                f"flag {flag['id']}: names item {flag['item']}, which the "
                "questionnaire does not have"
            )
        if kinds[flag["item"]] == "text":
            raise DefinitionError(f"flag {flag['id']}: item {flag['item']} is text, not a number")
    check_translations(definition)


def check_score(score: dict[str, Any], kinds: dict[str, str]) -> None:
    """A score adds numbers: its items exist and are numbers, reversed ones are choices (a
    reverse needs the options' range), and prorating leaves at least one answer to go on."""
    where = f"score {score['id']}"
    for name in (*score["items"], *score.get("reverse", [])):
        if name not in kinds:
            raise DefinitionError(
                f"{where}: names item {name}, which the questionnaire does not have"
            )
        if kinds[name] == "text":
            raise DefinitionError(f"{where}: item {name} is text, which cannot be added up")
    for name in score.get("reverse", []):
        if kinds[name] != "choice":
            raise DefinitionError(f"{where}: item {name} is reversed but has no answer options")
    if score.get("missing", {}).get("prorate_max_missing", 0) >= len(score["items"]):
        raise DefinitionError(
            f"{where}: prorate_max_missing must be smaller than its {len(score['items'])} items"
        )


def check_translations(definition: dict[str, Any]) -> None:
    """A questionnaire is validated in each language as a whole: a translation must cover
    every item and every answer, never leaving a client with a mix of two languages."""
    languages = {
        language
        for element, name, _where in wording(definition)
        for language in translations(element, name)
    }
    for language in sorted(languages):
        for element, name, where in wording(definition):
            if name in ("text", "display") and translated(element, name, language) is None:
                raise DefinitionError(
                    f"{where}: has no “{language}” wording, though other parts of the "
                    "questionnaire do; translate every item and answer, or none"
                )


def wording(definition: dict[str, Any]) -> list[tuple[dict[str, Any], str, str]]:
    """Every piece of text a client reads: (element, field name, where it is)."""
    parts = [(definition, name, name) for name in ("title", "description", "copyright")]
    for item in definition["item"]:
        parts.append((item, "text", f"item {item['linkId']}"))
        for option in item.get("answerOption", []):
            coding = option["valueCoding"]
            parts.append((coding, "display", f"item {item['linkId']}, answer {coding['code']}"))
    return parts


def translations(element: dict[str, Any], name: str) -> dict[str, str]:
    """The element's `name` in each language it carries (FHIR's translation extension)."""
    found = {}
    for extension in element.get(f"_{name}", {}).get("extension", []):
        parts = {part["url"]: part for part in extension["extension"]}
        found[parts["lang"]["valueCode"]] = str(parts["content"]["valueString"])
    return found


def translated(element: dict[str, Any], name: str, language: str) -> str | None:
    """The element's `name` in `language` ("de" also matches "de-AT"), if it carries one."""
    wanted = language.split("-")[0]
    return next(
        (
            text
            for code, text in translations(element, name).items()
            if code.split("-")[0] == wanted
        ),
        None,
    )


def localized(definition: dict[str, Any], language: str) -> dict[str, Any]:
    """A copy of the definition worded in `language` where it has that translation; the
    written wording where it has not. Codes, linkIds and scoring are untouched."""

    def worded(element: dict[str, Any], *names: str) -> dict[str, Any]:
        found = {name: translated(element, name, language) for name in names}
        return element | {name: text for name, text in found.items() if text is not None}

    items = []
    for item in definition["item"]:
        item = worded(item, "text")
        if "answerOption" in item:
            item["answerOption"] = [
                option | {"valueCoding": worded(option["valueCoding"], "display")}
                for option in item["answerOption"]
            ]
        items.append(item)
    return worded(definition, "title", "description", "copyright") | {"item": items}


def without_translations(value: Any) -> Any:
    """The definition with every translation taken out: what a version's identity rests on."""
    if isinstance(value, dict):
        return {k: without_translations(v) for k, v in value.items() if not k.startswith("_")}
    if isinstance(value, list):
        return [without_translations(v) for v in value]
    return value


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
