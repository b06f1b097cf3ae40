"""Which questionnaire answers leave in an export (measure_items): an allow-list read from
each questionnaire's definition. A number leaves as a value; a word only as a code the
definition declares for that choice item, or as a text item's answer when the study includes
free text. Anything else, such as a word stored in a choice item or an answer to an item the
definition does not name, leaves empty: any word may name a person."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from bridgework.measures.models import Instrument
from bridgework.research.export.context import Context
from bridgework.research.export.outcomes import number, responses_in_export
from bridgework.research.export.rows import Row, stream


@dataclass(frozen=True)
class ItemRule:
    """What a questionnaire's definition says about one item."""

    kind: str  # choice, integer or text (measures.definitions.ITEM); "" if not named
    codes: frozenset[str] = frozenset()  # a choice item's declared answer codes


UNNAMED = ItemRule("")


def item_rules(definition: dict[str, Any]) -> dict[str, ItemRule]:
    """Every item of a definition by linkId, nested items too."""
    rules: dict[str, ItemRule] = {}

    def walk(items: list[dict[str, Any]]) -> None:
        for item in items:
            options = item.get("answerOption") or []
            codes = frozenset(str(option.get("valueCoding", {}).get("code")) for option in options)
            rules[str(item.get("linkId"))] = ItemRule(str(item.get("type") or ""), codes)
            walk(item.get("item") or [])

    walk(definition.get("item") or [])
    return rules


def exported_answer(
    rule: ItemRule, value: Any, free_text: bool
) -> tuple[float | None, str | None, str | None]:
    """(value, code, text) of an answer as the export may give it."""
    if rule.kind == "text":
        words = value if free_text and isinstance(value, str) and value else None
        return None, None, words
    if number(value) is not None:
        return number(value), None, None
    if rule.kind == "choice" and isinstance(value, str) and value in rule.codes:
        return None, value, None
    return None, None, None


def measure_items(ctx: Context) -> Iterator[Row]:
    p = ctx.pseudonyms.maybe
    rows = responses_in_export(ctx).values_list("client_id", "pk", "instrument_id", "answers")
    known: dict[int, dict[str, ItemRule]] = {}  # instruments are few: bounded by them
    for client, pk, instrument, answers in stream(rows):
        rules = known.get(instrument)
        if rules is None:
            definition = Instrument.objects.using(ctx.using).values_list("definition", flat=True)
            rules = known[instrument] = item_rules(definition.get(pk=instrument))
        for item, value in sorted((answers or {}).items()):
            answer = exported_answer(rules.get(item, UNNAMED), value, ctx.free_text)
            yield p("response", pk), item, p("client", client), *answer
