"""The editor's "when will it remind you" part: the plan's designed reminders, as a form of its
own beside PlanForm (prefix "reminders"), pre-filled with the design (at first the template's
suggestion), offering only the ways beyond the app the client consented to."""

from __future__ import annotations

from datetime import time
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.lib.forms import Form, field_of
from bridgework.lib.week import WEEKDAY_CHOICES, clock, typed_times
from bridgework.plans.hooks import reminder_channels, reminders_in_words, reminders_now
from bridgework.plans.models import ActionPlan, Status

NO_REMINDERS = "none"
CLOCK = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
# Which of the form's fields each kind of rule takes; the rest of a kind's rule (time to
# answer, spacing, quiet hours) is kept from the design as it was.
PARTS = {
    "fixed": ("weekdays", "times"),
    "relative": ("offset_days", "at"),
    "random": ("weekdays", "window_start", "window_end", "samples"),
}
KEPT = ("expire_after", "min_spacing", "quiet_start", "quiet_end")


class RemindersForm(Form):
    prefix = "reminders"

    kind = forms.ChoiceField(
        label=_("Remind the client"),
        required=False,
        widget=forms.RadioSelect,
        choices=[
            (NO_REMINDERS, _("No reminders")),
            ("fixed", _("At fixed times on chosen days")),
            ("relative", _("Once, after the session")),
            ("random", _("At random moments in a window")),
        ],
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    times = forms.CharField(
        label=_("At these times"),
        required=False,
        max_length=200,
        help_text=_("One or more, like 07:30, 19:00."),
    )
    offset_days = forms.IntegerField(
        label=_("Days after the session"),
        required=False,
        min_value=0,
        max_value=14,
        help_text=_("Counted from the session the plan is set in; the reminder comes once."),
    )
    at = forms.TimeField(label=_("At"), required=False, widget=CLOCK)
    window_start = forms.TimeField(label=_("Between"), required=False, widget=CLOCK)
    window_end = forms.TimeField(label=_("and"), required=False, widget=CLOCK)
    samples = forms.IntegerField(
        label=_("Moments a day"), required=False, min_value=1, max_value=12
    )
    channels = forms.MultipleChoiceField(
        label=_("Also by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": _(
                "%(value)s: the client has not allowed reminders this way. They can allow it "
                "in their Settings; until then, choose another way."
            )
        },
    )

    def __init__(self, data: Any = None, *, plan: ActionPlan) -> None:
        self.design = dict(plan.reminders or {})
        super().__init__(data, initial=self.initial_from(self.design))
        suggested = plan.template.reminders if plan.template else {}
        self.suggestion = reminders_in_words({"rule": suggested}) if suggested else ""
        self.moved = self.moved_since(plan)
        self.moved_before = self.moved_on_reviewed(plan)
        channels = field_of(self, "channels", forms.MultipleChoiceField)
        channels.choices = reminder_channels(plan.client)
        if not channels.choices:
            channels.help_text = _(
                "The client has not allowed e-mail, notifications or a calendar: reminders "
                "appear in the app."
            )

    def moved_since(self, plan: ActionPlan) -> str:
        """What the plan's reminders say now, when that is no longer the design (the client
        moved their times): saving a changed design replaces it."""
        if plan.status not in (Status.AGREED, Status.ACTIVE) or not self.design:
            return ""
        now = reminders_now(plan)
        words = reminders_in_words(now) if now else ""
        return words if words and words != reminders_in_words(self.design) else ""

    def moved_on_reviewed(self, plan: ActionPlan) -> str:
        """For a draft that replaces a reviewed plan: the reminders as the client had moved
        them on that plan, when that was no longer its design (the draft starts from them)."""
        reviewed = plan.replaces
        if plan.status != Status.DRAFT or reviewed is None or not reviewed.reminders:
            return ""
        then = reminders_now(reviewed)
        words = reminders_in_words(then) if then else ""
        return words if words and words != reminders_in_words(reviewed.reminders) else ""

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("kind") or NO_REMINDERS
        # Days and times have the rule's own messages; an empty clock or count has none.
        for name in PARTS.get(kind, ()):
            missing = name not in ("weekdays", "times") and data.get(name) is None
            if missing and name not in self.errors:
                self.add_error(name, _("Fill this in for this kind of reminder."))
        return data

    @staticmethod
    def initial_from(design: dict[str, Any]) -> dict[str, Any]:
        rule = dict(design.get("rule") or {})
        return {
            "weekdays": [0, 1, 2, 3, 4, 5, 6],
            "times": "19:00",
            "offset_days": 1,
            "at": "19:00",
            "window_start": "09:00",
            "window_end": "21:00",
            "samples": 3,
            **{key: value for key, value in rule.items() if key != "times"},
            "kind": rule.get("kind", NO_REMINDERS),
            **({"times": ", ".join(rule["times"])} if rule.get("times") else {}),
            "channels": list(design.get("channels") or []),
        }

    def given(self) -> bool:
        """Whether the post carried this part at all (a post without it changes nothing)."""
        return self.is_bound and self.add_prefix("kind") in self.data

    def designed(self) -> dict[str, Any] | None:
        """The design the valid form says, {} for no reminders, None when it was not posted."""
        if not self.given():
            return None
        data = self.cleaned_data
        kind = data.get("kind") or NO_REMINDERS
        if kind == NO_REMINDERS:
            return {}
        old = self.design.get("rule") or {}
        rule: dict[str, Any] = {"kind": kind, **{k: old[k] for k in KEPT if k in old}}
        for name in PARTS[kind]:
            rule[name] = self.rule_value(name, data.get(name))
        return {"rule": rule, "channels": sorted(data.get("channels") or [])}

    @staticmethod
    def rule_value(name: str, value: Any) -> Any:
        if name == "times":
            return typed_times(value)
        if isinstance(value, time):
            return clock(value)
        if name == "weekdays":
            return list(value or [])
        return value

    def refuse(self, problems: dict[str, str]) -> None:
        """Show the problems of a refused design on the fields they name."""
        for field, problem in problems.items():
            self.add_error(field if field in self.fields else None, problem)
