from __future__ import annotations

import copy
from typing import Any

from django import forms
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Approach
from bridgework.care.models import Client, TherapySession
from bridgework.lib.forms import ChoiceOfRows, ChoicesOfRows, Form, ModelForm, field_of
from bridgework.plans import details, seeds
from bridgework.plans.actions import EDITABLE, SESSION_LINKS
from bridgework.plans.models import (
    ActionPlan,
    ImageryStep,
    Kind,
    Obstacle,
    PlanTemplate,
    Worksheet,
)


def zero_to_ten(label: Any) -> forms.IntegerField:
    bounds = _("Enter a number from 0 to 10, or leave it empty if not asked yet.")
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=10,
        required=False,
        error_messages={"min_value": bounds, "max_value": bounds, "invalid": bounds},
        widget=forms.NumberInput(
            attrs={"min": 0, "max": 10, "data-slider": "", "inputmode": "numeric"}
        ),
    )


class SessionChoice(ChoiceOfRows):
    """A choice of the client's therapy sessions, each shown by number and date."""

    def label_from_instance(self, obj: TherapySession) -> str:
        return f"{_('Session')} {obj.number} · {obj.starts_at:%d %b %Y}"


class PlanForm(ModelForm):
    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = ActionPlan
        fields = [*EDITABLE, *SESSION_LINKS, "goals"]
        field_classes = dict.fromkeys(SESSION_LINKS, SessionChoice)
        widgets = {
            "goals": forms.CheckboxSelectMultiple,
            "rationale": forms.Textarea(attrs={"rows": 3}),
            "instructions": forms.Textarea(attrs={"rows": 4}),
            # Long answers get room to be read whole while the client watches them typed.
            "what": forms.Textarea(attrs={"rows": 2}),
            "cues": forms.Textarea(attrs={"rows": 3}),
            "rehearsal_note": forms.Textarea(attrs={"rows": 2}),
            "framing": forms.RadioSelect,
            "proposed_by": forms.RadioSelect,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        client: Client = self.instance.client
        sessions = client.sessions.order_by("starts_at")
        for name in SESSION_LINKS:
            field_of(self, name, SessionChoice).queryset = sessions
        field_of(self, "goals", ChoicesOfRows).queryset = client.goals.filter(achieved_at=None)
        self.fields["importance"] = zero_to_ten(_("How important is this to the client? (0–10)"))
        self.fields["confidence"] = zero_to_ten(
            _("How confident is the client they will do it? (0–10)")
        )
        self.fields["title"].error_messages["required"] = _(
            "Give the plan a short title, in the client's words."
        )
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        for name in self.declared_details:
            self.fields[details.form_name(name)] = detail_field(details.REGISTRY[name])
            self.initial.setdefault(details.form_name(name), self.instance.details.get(name))

    @property
    def declared_details(self) -> list[str]:
        """The details the plan's template asks for (plans.details), in its order."""
        template = self.instance.template
        return [name for name in (template.details if template else []) if name in details.REGISTRY]

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return [self[details.form_name(name)] for name in self.declared_details]

    def details(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {name: data.get(details.form_name(name)) for name in self.declared_details}

    def clean(self) -> dict[str, Any]:
        """Besides each field's own rule: a seeded value must fit the worksheet's current
        version (plans.seeds), or the field says why and nothing is saved."""
        data = super().clean() or {}
        candidate = copy.copy(self.instance)
        for name in (*seeds.SEEDABLE_FIELDS, "worksheet"):
            if name in data:
                setattr(candidate, name, data[name])
        candidate.details = {k: v for k, v in self.details().items() if v not in (None, "")}
        for field, message in seeds.misfits(candidate).items():
            if field in self.fields and field not in self.errors:
                self.add_error(field, message)
        return data


def detail_field(detail: details.Detail) -> forms.Field:
    if detail.kind == details.RATING:
        bounds = _("Enter a whole number from 0 to 100, or leave it empty.")
        return forms.IntegerField(
            label=str(detail.label),
            min_value=0,
            max_value=100,
            required=False,
            error_messages={"min_value": bounds, "max_value": bounds, "invalid": bounds},
            widget=forms.NumberInput(
                attrs={"min": 0, "max": 100, "data-slider": "", "inputmode": "numeric"}
            ),
        )
    return forms.CharField(
        label=str(detail.label),
        max_length=detail.max_length,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


OBSTACLE_WORDS = ("kind", "description", "coping_plan")


class ObstacleForm(ModelForm):
    class Meta:
        model = Obstacle
        fields = [*OBSTACLE_WORDS, "suggested_from"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 2}),
            "coping_plan": forms.Textarea(attrs={"rows": 3}),
            # Where a kept suggestion came from travels with its row through every save.
            "suggested_from": forms.HiddenInput,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["description"].required = False  # an empty row is simply not saved


ObstacleFormSet = forms.formset_factory(
    ObstacleForm, extra=2, can_delete=True, max_num=12, validate_max=True
)


def obstacle_formset(plan: ActionPlan, data: Any = None) -> forms.BaseFormSet[ObstacleForm]:
    initial = [
        {name: getattr(o, name) for name in (*OBSTACLE_WORDS, "suggested_from")}
        for o in plan.obstacles.all()
    ]
    return ObstacleFormSet(data, initial=initial, prefix="obstacles")


def obstacles_of(formset: forms.BaseFormSet[ObstacleForm]) -> list[dict[str, Any]]:
    """The obstacles a valid formset holds: its rows with a description, not deleted."""
    rows = (getattr(form, "cleaned_data", {}) for form in formset.forms)
    return [obstacle_in(data) for data in rows if has_obstacle(data) and not data.get("DELETE")]


def has_obstacle(data: dict[str, Any]) -> bool:
    return bool(data.get("description", "").strip())


def obstacle_in(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **{key: data[key].strip() for key in OBSTACLE_WORDS},
        "suggested_from": data.get("suggested_from"),
    }


class SuggestionForm(ObstacleForm):
    """One of the template's typical obstacles, offered to keep (and reword) or to leave."""

    keep = forms.BooleanField(label=_("Keep this obstacle"), required=False)

    class Meta(ObstacleForm.Meta):
        fields = ["keep", *OBSTACLE_WORDS, "suggested_from"]


SuggestionFormSet = forms.formset_factory(SuggestionForm, extra=0, max_num=12)


def suggestions_for(plan: ActionPlan) -> list[dict[str, Any]]:
    """The template's typical obstacles the plan does not hold yet, each with its place in
    the template: a kept one is not offered again however the client reworded it, and a
    draft that replaces a plan offers only the new. An obstacle kept before plans recorded
    where it came from still counts by what it says."""
    template = plan.template
    if template is None:
        return []
    kept = list(plan.obstacles.all())
    held = {o.suggested_from for o in kept if o.suggested_from is not None}
    said = {o.description.strip().casefold() for o in kept if o.suggested_from is None}
    return [
        {**{key: obstacle.get(key, "") for key in OBSTACLE_WORDS}, "suggested_from": index}
        for index, obstacle in enumerate(template.obstacles)
        if index not in held and obstacle["description"].strip().casefold() not in said
    ]


def suggestion_formset(plan: ActionPlan, data: Any = None) -> forms.BaseFormSet[SuggestionForm]:
    """Bound only when the editor offered suggestions (a post without them keeps none)."""
    offered = data is not None and "suggested-TOTAL_FORMS" in data
    return SuggestionFormSet(
        data if offered else None, initial=suggestions_for(plan), prefix="suggested"
    )


def kept_suggestions(formset: forms.BaseFormSet[SuggestionForm]) -> list[dict[str, Any]]:
    """The suggestions ticked "keep", as the therapist and client reworded them, each
    remembering which of the template's it was."""
    rows = (getattr(form, "cleaned_data", {}) for form in formset.forms)
    return [obstacle_in(data) for data in rows if data.get("keep") and has_obstacle(data)]


class ImageryForm(Form):
    """The guided rehearsal: the steps gone through, and the confidence around them."""

    version = forms.IntegerField(widget=forms.HiddenInput)
    confidence_before = zero_to_ten(_("Before: how confident is the client they will do it?"))
    steps = forms.MultipleChoiceField(
        label=_("We went through"),
        choices=ImageryStep.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _(
                "Tick the steps you went through together, or go back to the plan without saving."
            )
        },
    )
    confidence_after = zero_to_ten(_("After: how confident is the client now?"))


class TemplateFilterForm(Form):
    q = forms.CharField(label=_("Search"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of task"), required=False, choices=[("", _("Any kind")), *Kind.choices]
    )
    approach = forms.ChoiceField(label=_("Wording for"), required=False, choices=Approach.choices)


class ProposalForm(Form):
    title = forms.CharField(
        label=_("What would you like to try?"),
        max_length=160,
        error_messages={"required": _("Write a few words about what you'd like to try.")},
    )
    what = forms.CharField(
        label=_("What exactly would you do?"),
        max_length=300,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    rationale = forms.CharField(
        label=_("Why might it help?"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    when = forms.CharField(label=_("When?"), max_length=200, required=False)


class DeclineForm(Form):
    reason = forms.CharField(
        label=_("Why not now? The client reads this."),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why, in words the client will read.")},
    )


class ReviewSessionForm(Form):
    session = SessionChoice(
        label=_("Reviewed in"),
        queryset=TherapySession.objects.none(),
        required=False,
        empty_label=_("Not in a session"),
    )

    def __init__(
        self, *args: Any, client: Client, after: TherapySession | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        sessions = client.sessions.order_by("-starts_at")
        if after is not None:
            # A plan is reviewed in a session after the one it was set in, never in that one.
            sessions = sessions.filter(starts_at__gt=after.starts_at)
        field_of(self, "session", SessionChoice).queryset = sessions


class OwnTemplateForm(ModelForm):
    """A clinic's or therapist's own template: one wording, used for every approach."""

    rationale = forms.CharField(label=_("Why this task"), widget=forms.Textarea(attrs={"rows": 3}))
    instructions = forms.CharField(label=_("What to do"), widget=forms.Textarea(attrs={"rows": 4}))
    obstacle_lines = forms.CharField(
        label=_("Typical obstacles"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One per line: the obstacle, then “|”, then a coping idea."),
    )

    class Meta:
        model = PlanTemplate
        fields = ["title", "kind", "summary", "worksheet", "cue", "how_long", "how_often"]

    def clean_obstacle_lines(self) -> list[dict[str, str]]:
        obstacles = []
        for number, line in enumerate(self.cleaned_data["obstacle_lines"].splitlines(), 1):
            if not line.strip():
                continue
            description, _bar, coping = line.partition("|")
            if not description.strip():
                raise forms.ValidationError(
                    _("Line %(n)d has no obstacle before the “|”.") % {"n": number}
                )
            obstacles.append(
                {
                    "kind": "practical",
                    "description": description.strip()[:300],
                    "coping_plan": coping.strip()[:500],
                }
            )
        return obstacles

    def template_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        words = {"rationale": data["rationale"], "instructions": data["instructions"]}
        return {
            **{name: data[name] for name in self.Meta.fields},
            "slug": slugify(data["title"])[:60] or "template",
            "wording": {approach.value: words for approach in Approach},
            "obstacles": data["obstacle_lines"],
            "worksheet": data["worksheet"] or Worksheet.NONE,
        }
