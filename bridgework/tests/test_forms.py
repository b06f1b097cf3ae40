"""Every form in the project stands on lib.forms, so every text field follows the one text
rule and every whole-number field the one number rule (lib.text, lib.numbers)."""

from __future__ import annotations

import importlib
import pkgutil

from django import forms

import bridgework
from bridgework.lib.forms import TextRules

SKIPPED = (".migrations", ".tests", ".conftest", "bridgework.wsgi", "bridgework.asgi")


def project_forms() -> list[type[forms.BaseForm]]:
    for module in pkgutil.walk_packages(bridgework.__path__, "bridgework."):
        if not any(part in module.name for part in SKIPPED):
            importlib.import_module(module.name)
    found, waiting = [], [forms.BaseForm]
    while waiting:
        for subclass in waiting.pop().__subclasses__():
            waiting.append(subclass)
            if subclass.__module__.startswith("bridgework.") and subclass.__module__ != (
                "bridgework.lib.forms"
            ):
                found.append(subclass)
    return found


def test_every_form_in_the_project_follows_the_text_and_number_rules() -> None:
    found = project_forms()
    names = {f"{form.__module__}.{form.__name__}" for form in found}
    assert "bridgework.plans.forms.PlanForm" in names  # the walk finds forms at all
    assert "bridgework.practice.forms.ScaleForm" in names
    outside = sorted(
        f"{form.__module__}.{form.__name__}" for form in found if not issubclass(form, TextRules)
    )
    assert outside == [], "Forms not built on bridgework.lib.forms.Form / ModelForm"
