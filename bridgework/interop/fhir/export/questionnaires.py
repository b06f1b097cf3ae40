"""Questionnaire, QuestionnaireResponse and the Observations of their scores.

Instruments are stored as FHIR Questionnaires already (measures/instruments/*.json); the
Bundle carries the definition only of a questionnaire Bridgework ships (PHQ-9, PHQ-8, GAD-7
with their attribution, and its own Action Plan Review). A clinic's own instrument may be
licensed (the Homework Rating Scale II…): its responses name it by canonical URL and carry
answers by linkId and code, never its wording."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from bridgework.interop.fhir import codes
from bridgework.interop.fhir.export.context import Context, Resource, instant, pruned
from bridgework.measures.models import Instrument, Response

# What a stored definition holds beyond FHIR's Questionnaire: Bridgework's scoring recipe.
NOT_FHIR = ("scoring",)
SURVEY = {
    "coding": [
        {"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "survey"}
    ]
}
BOUNDS = {
    "minValue": "http://hl7.org/fhir/StructureDefinition/minValue",
    "maxValue": "http://hl7.org/fhir/StructureDefinition/maxValue",
}
SCORES = f"{codes.CANONICAL}/CodeSystem/scores"
UCUM = "http://unitsofmeasure.org"


def canonical(instrument: Instrument) -> str:
    url = instrument.definition.get("url") or f"{codes.CANONICAL}/Questionnaire/{instrument.slug}"
    return f"{url}|{instrument.version}"


def shipped(instrument: Instrument) -> bool:
    return instrument.clinic_id is None


def questionnaires(ctx: Context, instruments: Iterable[Instrument]) -> list[Resource]:
    return [questionnaire(ctx, one) for one in instruments if shipped(one)]


def questionnaire(ctx: Context, instrument: Instrument) -> Resource:
    resource = {k: v for k, v in instrument.definition.items() if k not in NOT_FHIR}
    resource["item"] = [fhir_item(item) for item in resource.get("item", [])]
    return ctx.entry("instrument", instrument.pk, resource)


def fhir_item(item: Mapping[str, Any]) -> Resource:
    """An item as FHIR says it: the definitions' `minValue`/`maxValue` shorthand as FHIR's
    minValue and maxValue extensions."""
    found = {k: v for k, v in item.items() if k not in BOUNDS}
    bounds = [{"url": BOUNDS[name], "valueInteger": item[name]} for name in BOUNDS if name in item]
    if bounds:
        found["extension"] = [*item.get("extension", []), *bounds]
    if "item" in item:
        found["item"] = [fhir_item(child) for child in item["item"]]
    return found


@dataclass(frozen=True)
class Shape:
    """What every response to one instrument version shares, read off its definition once
    per export rather than once per response (hundreds of them in a two-year record)."""

    questionnaire: str  # its canonical url|version
    kinds: dict[str, str]  # each item's type by linkId, in the definition's order
    recipes: dict[str, Resource]  # each score's recipe (title, LOINC code) by its id

    @classmethod
    def of(cls, instrument: Instrument) -> Shape:
        definition = instrument.definition
        scores = definition.get("scoring", {}).get("scores", [])
        return cls(
            questionnaire=canonical(instrument),
            kinds={item["linkId"]: item["type"] for item in definition.get("item", [])},
            recipes={score["id"]: score for score in scores},
        )


def responses(
    ctx: Context, answered: Iterable[Response], instruments: Mapping[int, Instrument]
) -> list[Resource]:
    shapes = {pk: Shape.of(instrument) for pk, instrument in instruments.items()}
    found: list[Resource] = []
    for response in answered:
        shape = shapes[response.instrument_id]
        found.append(questionnaire_response(ctx, response, shape))
        found += score_observations(ctx, response, instruments[response.instrument_id], shape)
    return found


def questionnaire_response(ctx: Context, response: Response, shape: Shape) -> Resource:
    review = getattr(response, "review", None)
    identifiers = ctx.identifiers("response", response.pk)
    resource = {
        "resourceType": "QuestionnaireResponse",
        "identifier": identifiers[0] if identifiers else None,  # 0..1 in R4
        "basedOn": [ctx.ref("plan", review.plan_id)] if review is not None else [],
        "questionnaire": shape.questionnaire,
        "status": "completed",
        "subject": ctx.patient,
        "encounter": ctx.ref("session", response.session_id) if response.session_id else None,
        "authored": instant(response.completed_at),
        "author": ctx.who(response.entered_by),
        "item": items(shape.kinds, response.answers),
    }
    return ctx.entry("response", response.pk, pruned(resource))


def items(kinds: Mapping[str, str], answers: Mapping[str, Any]) -> list[Resource]:
    """The answers in the definition's order, by linkId and value only (no item text)."""
    order = [link_id for link_id in kinds if link_id in answers]
    order += sorted(set(answers) - set(kinds))
    return [
        {"linkId": link_id, "answer": [answer(kinds.get(link_id, ""), answers[link_id])]}
        for link_id in order
    ]


def answer(kind: str, value: Any) -> dict[str, Any]:
    if kind == "choice":
        return {"valueCoding": {"code": str(value)}}
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    if isinstance(value, float):
        return {"valueDecimal": value}
    return {"valueString": str(value)}


def score_observations(
    ctx: Context, response: Response, instrument: Instrument, shape: Shape
) -> list[Resource]:
    return [
        score_observation(
            ctx,
            response,
            score_code(instrument, score_id, shape.recipes.get(score_id, {})),
            score_id,
        )
        for score_id, score in sorted(response.scores.items())
        if score.get("value") is not None
    ]


def score_observation(ctx: Context, response: Response, code: Resource, score_id: str) -> Resource:
    score = response.scores[score_id]
    observation = {
        "resourceType": "Observation",
        "status": "final",
        "category": [SURVEY],
        "code": code,
        "subject": ctx.patient,
        "effectiveDateTime": instant(response.completed_at),
        "valueQuantity": {
            "value": score["value"],
            "unit": "{score}",
            "system": UCUM,
            "code": "{score}",
        },
        "interpretation": [{"text": score["band"]}] if score.get("band") else [],
        "derivedFrom": [ctx.ref("response", response.pk)],
    }
    return ctx.entry("score", f"{response.pk}:{score_id}", pruned(observation))


def score_code(instrument: Instrument, score_id: str, recipe: Mapping[str, Any]) -> Resource:
    title = str(recipe.get("title") or score_id)
    loinc = recipe.get("loinc") or (
        codes.TOTALS.get(instrument.slug) if score_id == "total" else None
    )
    coding = [{"system": SCORES, "code": f"{instrument.slug}/{score_id}"}]
    if loinc:
        coding.insert(0, {"system": codes.LOINC, "code": str(loinc)})
    return {"coding": coding, "text": f"{instrument.title}: {title}"}
