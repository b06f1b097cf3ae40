"""Every change to an action plan: one function each, audited, refusing invalid transitions.

Life cycle: (proposed →) draft → agreed → active → reviewed. A client's proposal is accepted
(becoming a draft the therapist shapes with the client) or declined with a reason. A review
decides: continue (the plan stays active until the next session), modify (the plan closes and
a draft that replaces it is opened) or stop (the plan closes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import Approach, User
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed
from bridgework.care.models import Client, Goal, TherapySession
from bridgework.care.sessions import session_for_now
from bridgework.plans import details as plan_details
from bridgework.plans import imagery, seeds
from bridgework.plans import reminders as designed
from bridgework.plans import review as review_questions
from bridgework.plans.hooks import reminders_now
from bridgework.plans.models import (
    ActionPlan,
    Decision,
    Framing,
    ImageryRehearsal,
    Obstacle,
    PlanRevision,
    PlanTemplate,
    ProposedBy,
    Review,
    Status,
)
from bridgework.plans.signals import plan_agreed, plan_reminders_changed, plan_reviewed

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE

# The fields a therapist edits with the client; each revision snapshots them.
EDITABLE = (
    "title",
    "kind",
    "proposed_by",
    "framing",
    "approach",
    "rationale",
    "instructions",
    "what",
    "when",
    "where",
    "how_long",
    "how_often",
    "with_whom",
    "importance",
    "confidence",
    "rehearsed",
    "rehearsal_note",
    "cues",
    "worksheet",
    "rating_scale",
)
SESSION_LINKS = ("set_in_session", "review_session", "builds_on")
FRAMING_FOR = {
    Approach.CBT: Framing.DIRECTIVE,
    Approach.PSYCHODYNAMIC: Framing.TENTATIVE,
    Approach.HUMANISTIC: Framing.TENTATIVE,
    Approach.INTEGRATIVE: Framing.EXPERIMENT,
}


class TransitionRefused(Exception):
    """The plan is not in a state that allows this; the message says why and what to do."""


class StalePlan(Exception):
    """Someone saved the plan since this editor loaded it."""

    def __init__(self, current: ActionPlan) -> None:
        super().__init__("stale")
        self.current = current


def require(plan: ActionPlan, *allowed: Status, doing: str) -> None:
    if plan.status not in allowed:
        raise TransitionRefused(
            _("This plan is %(status)s, so it cannot be %(doing)s. It must be %(allowed)s.")
            % {
                "status": plan.get_status_display(),
                "doing": doing,
                "allowed": _(" or ").join(str(Status(s).label) for s in allowed),
            }
        )


def session_after(session: TherapySession | None, client: Client) -> TherapySession | None:
    later = client.sessions.order_by("starts_at")
    if session is not None:
        later = later.filter(starts_at__gt=session.starts_at)
    else:
        later = later.filter(starts_at__gt=timezone.now())
    return later.first()


@transaction.atomic
def start_plan(
    client: Client, *, by: User, template: PlanTemplate | None = None, approach: str = ""
) -> ActionPlan:
    """A draft for this session, pre-filled from the template in the wording for `approach`
    (by default the therapist's own). The template's typical obstacles are not copied: the
    editor offers them as suggestions, and only those the client recognises as theirs are
    kept (an obstacle nobody chose is a coping plan nobody will use)."""
    approach = approach if approach in Approach.values else (by.approach or Approach.CBT)
    session = session_for_now(client)
    plan = ActionPlan(
        client=client,
        created_by=by,
        approach=approach,
        framing=FRAMING_FOR[Approach(approach)],
        set_in_session=session,
        builds_on=session,
        review_session=session_after(session, client),
        kind="other",
    )
    if template is not None:
        words = template.words_for(approach)
        plan.template, plan.kind, plan.title = template, template.kind, template.title
        plan.rationale, plan.instructions = words["rationale"], words["instructions"]
        plan.worksheet, plan.cues = template.worksheet, template.cue
        plan.how_long, plan.how_often = template.how_long, template.how_often
    plan.reminders = designed.suggested(template)
    plan.save()
    changed(by, CREATE, plan)
    return plan


def snapshot(plan: ActionPlan) -> dict[str, Any]:
    """What the plan says now, in plain values: the content of a revision."""
    return snapshot_with(
        plan,
        goals=sorted(goal.text for goal in plan.goals.all()),
        # What the obstacles say; where one came from is the row's, not part of what changed.
        obstacles=[
            {"kind": o.kind, "description": o.description, "coping_plan": o.coping_plan}
            for o in plan.obstacles.all()
        ],
        imagery=imagery_snapshot(plan),
    )


def snapshot_with(
    plan: ActionPlan,
    *,
    goals: list[str],
    obstacles: list[dict[str, str]],
    imagery: dict[str, Any] | None,
) -> dict[str, Any]:
    """`snapshot` with the plan's goals (sorted), obstacles and imagery given, for a caller
    that already holds them (the demo writes a year of plans without asking for each)."""
    data: dict[str, Any] = {name: getattr(plan, name) for name in EDITABLE}
    for name in SESSION_LINKS:
        session = getattr(plan, name)
        data[name] = session.number if session else None
    data["details"] = dict(plan.details or {})
    data["reminders"] = plan.reminders
    return data | {"goals": goals, "obstacles": obstacles, "imagery": imagery}


def imagery_snapshot(plan: ActionPlan) -> dict[str, Any] | None:
    rehearsal = imagery.rehearsal_of(plan)
    if rehearsal is None:
        return None
    return {
        "steps": rehearsal.steps,
        "confidence_before": rehearsal.confidence_before,
        "confidence_after": rehearsal.confidence_after,
    }


@transaction.atomic
def save_plan(
    plan: ActionPlan,
    *,
    by: User,
    version: int,
    fields: dict[str, Any],
    goals: list[Goal],
    obstacles: list[dict[str, Any]],
    details: dict[str, Any] | None = None,
    reminders: dict[str, Any] | None = None,
) -> ActionPlan:
    """Save an edit made on top of `version`. A stale version raises StalePlan and saves
    nothing. Once the plan is agreed, every save adds a revision.

    `obstacles` replace the plan's, each with the template obstacle it was kept from
    (`suggested_from`, or None), so the editor knows which suggestions the plan holds.
    `details` are the ones its template declares (plans.details; None leaves them as they
    are); a detail out of bounds, or a seeded value that no longer fits the worksheet
    (plans.seeds), raises ValidationError naming the editor's field, and nothing is saved.
    `reminders` is the designed reminders (plans.reminders; None: unchanged). A design the
    client's consents or the rule do not allow raises RemindersRefused and saves nothing; a
    changed design of an agreed or active plan changes its schedule in the same transaction."""
    require(plan, Status.DRAFT, Status.AGREED, Status.ACTIVE, doing=_("edited"))
    was, designed_before = trail.snapshot(plan), plan.reminders
    set_in_before = plan.set_in_session_id
    claimed = ActionPlan.objects.filter(pk=plan.pk, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StalePlan(ActionPlan.objects.get(pk=plan.pk))
    if any(goal.client_id != plan.client_id for goal in goals):
        raise ValueError("A plan serves its own client's goals only.")
    for name, value in fields.items():
        if name not in EDITABLE and name not in SESSION_LINKS:
            raise ValueError(f"{name} is not an editable field of a plan")
        setattr(plan, name, value)
    was_details = dict(plan.details or {})
    if details is not None:
        plan.details = checked_details(plan, details)
    refused = seeds.misfits(plan)
    if refused:
        raise ValidationError(refused)
    if reminders is not None:
        plan.reminders = reminders
    # Checked with the session links as edited: "once, after the session" counts from one.
    if plan.reminders != designed_before or plan.set_in_session_id != set_in_before:
        designed.check(plan, plan.reminders)
    plan.version = version + 1
    plan.full_clean(exclude=["client", "created_by", "template", "replaces", "status"])
    plan.save()
    plan.goals.set(goals)
    plan.obstacles.all().delete()
    for position, obstacle in enumerate(obstacles):
        Obstacle.objects.create(plan=plan, position=position, **obstacle)
    if plan.status != Status.DRAFT:
        add_revision(plan, by=by)
    # Goals are ids; obstacles and details are the client's words, so only how many
    # obstacles there are now and which details changed.
    detail: dict[str, Any] = {
        "goals": sorted(goal.pk for goal in goals),
        "obstacles": len(obstacles),
    }
    moved = sorted(
        name
        for name in {*was_details, *plan.details}
        if was_details.get(name) != plan.details.get(name)
    )
    if moved:
        detail["details"] = moved
    changed(by, CHANGE, plan, before=was, detail=detail)
    if plan.status != Status.DRAFT and plan.reminders != designed_before:
        plan_reminders_changed.send(sender=ActionPlan, plan=plan, by=by, before=designed_before)
    return plan


def checked_details(plan: ActionPlan, values: dict[str, Any]) -> dict[str, Any]:
    declared = list(plan.template.details) if plan.template else []
    kept, problems = plan_details.cleaned(declared, values)
    if problems:
        raise ValidationError(
            {plan_details.form_name(name): message for name, message in problems.items()}
        )
    return kept


def add_revision(plan: ActionPlan, *, by: User | None, note: str = "") -> PlanRevision:
    number = plan.revisions.count() + 1
    return PlanRevision.objects.create(
        plan=plan, number=number, made_by=by, snapshot=snapshot(plan), note=note
    )


@transaction.atomic
def rehearse_in_imagery(
    plan: ActionPlan,
    *,
    by: User,
    version: int,
    steps: list[str],
    confidence_before: int | None,
    confidence_after: int | None,
) -> ImageryRehearsal:
    """Record the guided rehearsal in imagery (plans.imagery): which steps, and the client's
    confidence before and after. The plan counts as rehearsed; its "how it was rehearsed"
    says so unless the therapist wrote it already, and the confidence after becomes the
    plan's confidence (the same question, asked last). Saves on top of `version` like an
    edit, so an editor open elsewhere sees that the plan changed."""
    require(plan, Status.DRAFT, Status.AGREED, Status.ACTIVE, doing=_("rehearsed"))
    unknown = set(steps) - set(imagery.STEPS)
    if not steps or unknown:
        raise ValueError(f"Rehearsed steps must be some of {list(imagery.STEPS)}: {steps}")
    claimed = ActionPlan.objects.filter(pk=plan.pk, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StalePlan(ActionPlan.objects.get(pk=plan.pk))
    rehearsal = record_rehearsal(
        plan, by, imagery.in_script_order(steps), (confidence_before, confidence_after)
    )
    was = trail.snapshot(plan)
    plan.rehearsed, plan.version = True, version + 1
    if not plan.rehearsal_note.strip():
        plan.rehearsal_note = imagery.note_for(rehearsal.steps)
    if confidence_after is not None:
        plan.confidence = confidence_after
    plan.save(update_fields=["rehearsed", "rehearsal_note", "confidence", "version"])
    if plan.status != Status.DRAFT:
        add_revision(plan, by=by, note=_("Rehearsed in imagery"))
    changed(by, CHANGE, plan, before=was, detail={"imagery": rehearsal.pk})
    return rehearsal


def record_rehearsal(
    plan: ActionPlan, by: User, steps: list[str], confidence: tuple[int | None, int | None]
) -> ImageryRehearsal:
    """The plan's rehearsal record, new or replacing the last, audited by names and codes."""
    rehearsal = imagery.rehearsal_of(plan) or ImageryRehearsal(plan=plan)
    was = trail.snapshot(rehearsal) if rehearsal.pk else trail.NOTHING
    rehearsal.steps, rehearsal.rehearsed_by, rehearsal.rehearsed_at = steps, by, timezone.now()
    rehearsal.confidence_before, rehearsal.confidence_after = confidence
    rehearsal.full_clean(exclude=["plan"])
    rehearsal.save()
    changed(by, CREATE if was is trail.NOTHING else CHANGE, rehearsal, before=was)
    return rehearsal


@transaction.atomic
def agree(plan: ActionPlan, *, by: User) -> ActionPlan:
    require(plan, Status.DRAFT, doing=_("agreed"))
    if not plan.title.strip() or not (plan.instructions.strip() or plan.what.strip()):
        raise TransitionRefused(
            _(
                "Before agreeing, give the plan a title and say what to do "
                "(the instructions or “what exactly”)."
            )
        )
    # Consents may have changed since the draft was saved: the schedule must be possible now.
    designed.check(plan, plan.reminders)
    was = trail.snapshot(plan)
    plan.status, plan.agreed_at = Status.AGREED, timezone.now()
    plan.save(update_fields=["status", "agreed_at"])
    add_revision(plan, by=by, note=_("Agreed"))
    changed(by, CHANGE, plan, before=was)
    plan_agreed.send(sender=ActionPlan, plan=plan, by=by)
    return plan


@transaction.atomic
def activate(plan: ActionPlan, *, by: User) -> ActionPlan:
    """The practice period starts: on the client's first look at the summary, or when the
    therapist starts it (a client who works from the printed page)."""
    require(plan, Status.AGREED, doing=_("started"))
    was = trail.snapshot(plan)
    plan.status = Status.ACTIVE
    plan.save(update_fields=["status"])
    changed(by, CHANGE, plan, before=was)
    return plan


@transaction.atomic
def record_seen(plan: ActionPlan, *, by: User) -> ActionPlan:
    """The client opened the written summary. The first time counts; it also starts the plan."""
    if plan.first_seen_by_client_at is None and plan.status in (Status.AGREED, Status.ACTIVE):
        was = trail.snapshot(plan)
        plan.first_seen_by_client_at = timezone.now()
        plan.save(update_fields=["first_seen_by_client_at"])
        changed(by, CHANGE, plan, before=was)
    if plan.status == Status.AGREED:
        activate(plan, by=by)
    return plan


@transaction.atomic
def propose(
    client: Client, *, by: User, title: str, what: str, rationale: str = "", when: str = ""
) -> ActionPlan:
    """The client suggests a plan of their own between sessions."""
    plan = ActionPlan.objects.create(
        client=client,
        created_by=by,
        status=Status.PROPOSED,
        proposed_by=ProposedBy.CLIENT,
        title=title.strip(),
        what=what.strip(),
        rationale=rationale.strip(),
        when=when.strip(),
        kind="other",
        review_session=session_after(None, client),
    )
    changed(by, CREATE, plan)
    return plan


@transaction.atomic
def accept_proposal(plan: ActionPlan, *, by: User) -> ActionPlan:
    require(plan, Status.PROPOSED, doing=_("accepted"))
    was = trail.snapshot(plan)
    plan.status = Status.DRAFT
    plan.set_in_session = plan.builds_on = session_for_now(plan.client)
    plan.save(update_fields=["status", "set_in_session", "builds_on"])
    changed(by, CHANGE, plan, before=was)
    return plan


@transaction.atomic
def decline_proposal(plan: ActionPlan, *, by: User, reason: str) -> ActionPlan:
    require(plan, Status.PROPOSED, doing=_("declined"))
    if not reason.strip():
        raise TransitionRefused(_("Say why, in words the client will read."))
    was = trail.snapshot(plan)
    plan.status, plan.decline_reason, plan.closed_at = (
        Status.DECLINED,
        reason.strip(),
        timezone.now(),
    )
    plan.save(update_fields=["status", "decline_reason", "closed_at"])
    changed(by, CHANGE, plan, before=was)
    return plan


@dataclass(frozen=True)
class ReviewOutcome:
    review: Review
    successor: ActionPlan | None


@transaction.atomic
def review(
    plan: ActionPlan, *, by: User, session: TherapySession | None, answers: dict[str, Any]
) -> ReviewOutcome:
    require(plan, Status.AGREED, Status.ACTIVE, doing=_("reviewed"))
    if session is not None and session.client_id != plan.client_id:
        raise TransitionRefused(
            _("That session belongs to another client. Choose one of this client's sessions.")
        )
    unknown = set(answers) - set(review_questions.BY_LINK_ID)
    if unknown or "done" not in answers or "decision" not in answers:
        raise ValueError(f"Review answers need 'done' and 'decision'; unknown: {sorted(unknown)}")
    record = Review.objects.create(
        plan=plan,
        session=session,
        reviewed_by=by,
        instrument_version=review_questions.VERSION,
        answers=answers,
        done=answers["done"],
        decision=answers["decision"],
    )
    successor, was = None, trail.snapshot(plan)
    if record.decision == Decision.CONTINUE:
        plan.status = Status.ACTIVE
        plan.review_session = session_after(session, plan.client)
    else:
        plan.status, plan.closed_at = Status.REVIEWED, timezone.now()
    plan.save(update_fields=["status", "review_session", "closed_at"])
    detail = {"review": record.pk, "done": record.done, "decision": record.decision}
    changed(by, CHANGE, plan, before=was, detail=detail)
    if record.decision == Decision.MODIFY:
        successor = replace_with_draft(plan, by=by, session=session)
    plan_reviewed.send(sender=ActionPlan, plan=plan, review=record, by=by, session=session)
    return ReviewOutcome(record, successor)


def replace_with_draft(plan: ActionPlan, *, by: User, session: TherapySession | None) -> ActionPlan:
    """A new draft that starts from the reviewed plan, for the therapist and client to change."""
    draft = ActionPlan.objects.create(
        client=plan.client,
        created_by=by,
        replaces=plan,
        template=plan.template,
        set_in_session=session,
        builds_on=session,
        review_session=session_after(session, plan.client),
        details=dict(plan.details or {}),
        # The reminders as they stand, with the times the client moved since the session.
        reminders=reminders_now(plan) or plan.reminders,
        **{name: getattr(plan, name) for name in EDITABLE},
    )
    draft.goals.set(plan.goals.all())
    for obstacle in plan.obstacles.all():
        Obstacle.objects.create(
            plan=draft,
            kind=obstacle.kind,
            description=obstacle.description,
            coping_plan=obstacle.coping_plan,
            position=obstacle.position,
            suggested_from=obstacle.suggested_from,
        )
    changed(by, CREATE, draft)
    return draft


@transaction.atomic
def add_template(*, by: User, fields: dict[str, Any]) -> PlanTemplate:
    """A clinic's own template (therapists and admins add them; every colleague can use it)."""
    base, slug, n = fields["slug"], fields["slug"], 1
    while PlanTemplate.objects.filter(clinic=by.clinic, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    template = PlanTemplate.objects.create(
        clinic=by.clinic, created_by=by, **{**fields, "slug": slug}
    )
    changed(by, CREATE, template)
    return template
