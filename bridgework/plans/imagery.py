"""Rehearsal in imagery: the short guided script the therapist reads aloud in the session, step
by step, so the client pictures doing the plan before doing it (step 5 of the process).

Picturing the situation that cues the task, and oneself starting it, makes doing it more
likely (Libby et al. 2007); picturing an obstacle arrive and the coping plan used on it turns
the plan's "if … then" into something already lived once (Holmes and colleagues on mental
imagery). The script is written for this product and fills in the plan's own when, where,
cues, first step and first obstacle, so it is about this client's week, not anyone's.

The client hears it, so every line is translated; the page renders it in the client's
language. Steps are stored by their code (`ImageryRehearsal.steps`), never by their words.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.plans.models import ActionPlan, ImageryRehearsal, ImageryStep

CUE, FIRST_STEP, OBSTACLE, RESULT = (step.value for step in ImageryStep)
STEPS = {step.value: step.label for step in ImageryStep}


@dataclass(frozen=True)
class Step:
    code: str
    title: str
    lines: list[str]


@dataclass(frozen=True)
class Script:
    opening: list[str]
    steps: list[Step]
    closing: list[str]


def script_for(plan: ActionPlan) -> Script:
    """The script for this plan, in the active language (the caller chooses the client's)."""
    return Script(
        opening=[
            _("Sit comfortably. Close your eyes if you like, or rest your gaze on one spot."),
            _(
                "We will go through the plan in your mind, as if it were happening now. "
                "There is no right way to picture it; take your time."
            ),
        ],
        steps=[
            Step(CUE, str(STEPS[CUE]), cue_lines(plan)),
            Step(FIRST_STEP, str(STEPS[FIRST_STEP]), first_step_lines(plan)),
            Step(OBSTACLE, str(STEPS[OBSTACLE]), obstacle_lines(plan)),
            Step(RESULT, str(STEPS[RESULT]), result_lines()),
        ],
        closing=[
            _("When you are ready, let the picture go. Take a breath, and come back to the room."),
        ],
    )


def cue_lines(plan: ActionPlan) -> list[str]:
    when, where, cues = plan.when.strip(), plan.where.strip(), plan.cues.strip()
    lines = []
    # The plan's own words are noun phrases as often as sentences ("Monday mornings", "the
    # number 12 bus"), so they follow a colon rather than sit inside a sentence.
    if when and where:
        lines.append(
            _("Picture the time and the place: %(when)s, %(where)s.")
            % {"when": when, "where": where}
        )
    elif when:
        lines.append(_("Picture the time: %(when)s.") % {"when": when})
    elif where:
        lines.append(_("Picture the place: %(where)s.") % {"where": where})
    else:
        lines.append(_("Picture the moment you will start: where you are, and what time it is."))
    lines.append(_("Be there now."))
    lines.append(_("Look around you. What do you see? What can you hear? What is the light like?"))
    if cues:
        lines.append(_("Notice what reminds you that it is time: %(cues)s.") % {"cues": cues})
    else:
        lines.append(_("Notice what tells you that it is time to start."))
    return lines


def first_step_lines(plan: ActionPlan) -> list[str]:
    what = plan.what.strip()
    first = (
        _("See yourself begin: %(what)s.") % {"what": what}
        if what
        else _("See yourself make the very first small move.")
    )
    return [
        first,
        _("Notice your body as you start: your breathing, your hands, your feet."),
        _("It only has to be the first step. Stay with it for a moment."),
    ]


def obstacle_lines(plan: ActionPlan) -> list[str]:
    obstacle = next(iter(plan.obstacles.all()), None)  # prefetched by the page's door
    if obstacle is None:
        return [
            _("Now something gets in the way: the thing most likely to, this week."),
            _("Notice what you feel, and what you say to yourself."),
            _("Then picture what you do about it, and see it help enough to go on."),
        ]
    coping = obstacle.coping_plan.strip()
    return [
        _("Now something gets in the way: %(obstacle)s.") % {"obstacle": obstacle.description},
        _("Notice what you feel, and what you say to yourself."),
        _("Then you use your plan: %(coping)s.") % {"coping": coping}
        if coping
        else _("Then picture what you do about it, and see it help enough to go on."),
        _("See yourself carry on."),
    ]


def result_lines() -> list[str]:
    return [
        _("Now picture the end: you have done it, or as much of it as you could today."),
        _("How does that feel? Where do you notice it in your body?"),
        _("What would you like to remember from this?"),
    ]


# What the written summary says, for each step rehearsed: the same rehearsal in a minute,
# for the client to run again before they start.
RECAP = {
    CUE: gettext_lazy("Picture the moment it begins: where you are, what you see and hear."),
    FIRST_STEP: gettext_lazy("See yourself take the first small step."),
    OBSTACLE: gettext_lazy(
        "Picture something getting in the way, and see yourself use your plan for it."
    ),
    RESULT: gettext_lazy("Picture the end, and notice how it feels."),
}


def rehearsal_of(plan: ActionPlan) -> ImageryRehearsal | None:
    try:
        return plan.imagery
    except ImageryRehearsal.DoesNotExist:
        return None


def recap_for(plan: ActionPlan) -> list[str]:
    rehearsal = rehearsal_of(plan)
    if rehearsal is None:
        return []
    return [str(RECAP[code]) for code in in_script_order(rehearsal.steps)]


def note_for(steps: list[str]) -> str:
    """What the editor's "how it was rehearsed" says after the guided step, unless the
    therapist wrote something there already."""
    names = ", ".join(str(STEPS[code]).lower() for code in steps)
    return _("In imagery, step by step: %(steps)s.") % {"steps": names}


def in_script_order(steps: list[str]) -> list[str]:
    return [code for code in STEPS if code in steps]
