"""A small picture of one exposure's distress series (minute by minute, 0–100), the size of a
line of text, for the therapist's practice lists; and the SVG clean-up every picture needs."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pygal
from pygal.etree import etree

from bridgework.practice.worksheets import Worksheet

WIDTH, HEIGHT = 160, 40
MINUTE = "minute"  # every series row's time column (practice.series checks it rises)


def without_scripts(tree: Any) -> bytes:
    """pygal always embeds a configuration script for its interactive mode; a picture needs
    none, so the chart goes out without any."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if str(child.tag).endswith("script"):
                parent.remove(child)
    return bytes(etree.tostring(tree, encoding="utf-8"))


def points_of(sheet: Worksheet, entries: Mapping[str, Any]) -> list[tuple[int, int]]:
    """(minute, reading) of each complete row of an entry's series, in the order typed: the
    list and the reading its worksheet version declares (`from_series`), none without one."""
    rule = sheet.from_series
    if rule is None:
        return []
    rows: Sequence[Mapping[str, Any]] = entries.get(rule["list"]) or []
    value = rule["value"]
    return [
        (row[MINUTE], row[value])
        for row in rows
        if isinstance(row, Mapping)
        and isinstance(row.get(MINUTE), int)
        and isinstance(row.get(value), int)
    ]


def svg(points: Sequence[tuple[int, int]]) -> bytes:
    """The series as a line over 0–100 (no axes or labels: the page gives the numbers)."""
    chart = pygal.XY(
        js=[],
        style=pygal.style.Style(
            colors=("#a1262b",), background="transparent", plot_background="transparent"
        ),
        range=(0, 100),
        width=WIDTH,
        height=HEIGHT,
        show_legend=False,
        show_x_labels=False,
        show_y_labels=False,
        show_x_guides=False,
        show_y_guides=False,
        margin=2,
        spacing=0,
        dots_size=2,
        explicit_size=True,
    )
    chart.add("", list(points))
    tree = chart.render_tree()
    for element in tree.iter():
        if str(element.tag).endswith("title"):  # pygal names an untitled chart "Pygal"
            element.text = "Distress during the exposure (0–100)"
    return without_scripts(tree)
