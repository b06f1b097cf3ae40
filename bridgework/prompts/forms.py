from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from bridgework.lib.forms import Form, field_of
from bridgework.lib.week import WEEKDAY_CHOICES, clock, typed_times
from bridgework.prompts.models import Channel, Schedule

CLOCK = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class ScheduleForm(Form):
    """One form for every kind of schedule; the fields that do not apply to a kind are ignored."""

    kind = forms.ChoiceField(
        label=_("Remind"),
        choices=Schedule.Kind.choices,
        widget=forms.RadioSelect,
        initial=Schedule.Kind.FIXED,
    )
    weekdays = forms.TypedMultipleChoiceField(
        label=_("On these days"),
        choices=WEEKDAY_CHOICES,
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=[0, 1, 2, 3, 4, 5, 6],
    )
    times = forms.CharField(
        label=_("At these times"),
        required=False,
        initial="19:00",
        help_text=_("Fixed times: one or more, like 07:30, 19:00."),
    )
    offset_days = forms.IntegerField(
        label=_("Days after the session"), required=False, initial=1, min_value=0, max_value=14
    )
    at = forms.TimeField(label=_("At"), required=False, initial="19:00", widget=CLOCK)
    window_start = forms.TimeField(
        label=_("Random moments from"), required=False, initial="09:00", widget=CLOCK
    )
    window_end = forms.TimeField(label=_("until"), required=False, initial="21:00", widget=CLOCK)
    samples = forms.IntegerField(
        label=_("Moments a day"), required=False, initial=3, min_value=1, max_value=12
    )
    min_spacing = forms.IntegerField(
        label=_("At least this many minutes apart"),
        required=False,
        initial=60,
        min_value=0,
        max_value=720,
    )
    hours_before = forms.IntegerField(
        label=_("Hours before each booked session"),
        required=False,
        initial=24,
        min_value=1,
        max_value=72,
    )
    measures = forms.MultipleChoiceField(
        label=_("Questionnaires"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        initial=["phq-9", "gad-7"],
        help_text=_("Before-session reminders: the questionnaires the client fills in, in turn."),
    )
    expire_after = forms.IntegerField(
        label=_("Minutes to answer before it closes"), initial=180, min_value=5, max_value=1440
    )
    quiet_start = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=CLOCK,
        help_text=_("No reminder comes in quiet hours."),
    )
    quiet_end = forms.TimeField(label=_("Quiet hours until"), required=False, widget=CLOCK)
    channels = forms.MultipleChoiceField(
        label=_("Also by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(c.value, c.label) for c in Channel if c != Channel.IN_APP],
        help_text=_("Reminders always appear in the app. Other ways need the client's consent."),
    )

    def rule(self) -> dict[str, Any]:
        data = self.cleaned_data
        rule: dict[str, Any] = {
            "kind": data["kind"],
            "expire_after": data["expire_after"],
            **self.rule_parts(data),
        }
        for name in ("offset_days", "samples", "min_spacing", "hours_before"):
            if data.get(name) is not None:
                rule[name] = data[name]
        if data.get("measures"):
            rule["measures"] = list(data["measures"])
        return rule

    @staticmethod
    def rule_parts(data: dict[str, Any]) -> dict[str, Any]:
        """Days, times, clock fields and quiet hours, as the rule stores them."""
        clocks = {
            name: clock(data[name])
            for name in ("at", "window_start", "window_end", "quiet_start", "quiet_end")
            if data.get(name)
        }
        quiet = {
            "quiet_start": clocks.pop("quiet_start", ""),
            "quiet_end": clocks.pop("quiet_end", ""),
        }
        times = typed_times(data.get("times"))
        return {"weekdays": data.get("weekdays") or [], "times": times, **clocks, **quiet}

    @classmethod
    def initial_from(cls, schedule: Schedule) -> dict[str, Any]:
        rule = dict(schedule.rule)
        rule["times"] = ", ".join(rule.get("times", []))
        return {**rule, "channels": [c for c in schedule.channels if c != Channel.IN_APP]}


class ClientTimesForm(Form):
    """What a client may change themselves: their times, days and quiet hours."""

    weekdays = ScheduleForm.base_fields["weekdays"]
    times = ScheduleForm.base_fields["times"]
    quiet_start = ScheduleForm.base_fields["quiet_start"]
    quiet_end = ScheduleForm.base_fields["quiet_end"]


class ClientReminderForm(Form):
    """A reminder the client adds to one of their plans: set times on chosen days, or random
    moments in a window, in the app and on the ways they have allowed."""

    kind = forms.ChoiceField(
        label=_("How should it remind me?"),
        choices=[
            (Schedule.Kind.FIXED, _("At set times")),
            (Schedule.Kind.RANDOM, _("At random moments in a window")),
        ],
        widget=forms.RadioSelect,
        initial=Schedule.Kind.FIXED,
    )
    weekdays = ScheduleForm.base_fields["weekdays"]
    times = ScheduleForm.base_fields["times"]
    window_start = forms.TimeField(
        label=_("Moments from"), required=False, initial="09:00", widget=CLOCK
    )
    window_end = forms.TimeField(
        label=_("Moments until"), required=False, initial="21:00", widget=CLOCK
    )
    samples = forms.IntegerField(
        label=_("How many moments a day"), required=False, initial=3, min_value=1, max_value=12
    )
    channels = forms.MultipleChoiceField(
        label=_("Also remind me by"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Reminders always come in the app. Other ways are offered once you allow them."
        ),
        error_messages={
            "invalid_choice": _(
                "%(value)s: you have not allowed reminders this way. Choose another way."
            )
        },
    )

    def __init__(self, *args: Any, channels: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_of(self, "channels", forms.MultipleChoiceField).choices = channels

    def rule(self) -> dict[str, Any]:
        data = self.cleaned_data
        rule = {"kind": data["kind"], **ScheduleForm.rule_parts(data)}
        if data["kind"] == Schedule.Kind.RANDOM:
            rule["samples"] = data.get("samples") or 3
            rule["min_spacing"] = 30  # moments spread out, yet many fit in a short window
        return rule
