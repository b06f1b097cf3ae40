"""Action plans: one between-session task, designed together, summarised, reviewed.

Client data: read through plans.access, change through plans.actions.
"""

from __future__ import annotations

from typing import Any

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.models import Approach, Clinic, User
from bridgework.care.models import Client, Goal, TherapySession
from bridgework.lib import choices

ZERO_TO_TEN = [MinValueValidator(0), MaxValueValidator(10)]


class Kind(models.TextChoices):
    EXPOSURE_IN_VIVO = "exposure-in-vivo", _("Exposure in real life")
    EXPOSURE_IMAGINAL = "exposure-imaginal", _("Imaginal exposure")
    EXPOSURE_INTEROCEPTIVE = "exposure-interoceptive", _("Interoceptive exposure")
    BEHAVIOURAL_EXPERIMENT = "behavioural-experiment", _("Behavioural experiment")
    BEHAVIOURAL_ACTIVATION = (
        "behavioural-activation",
        _("Behavioural activation / activity scheduling"),
    )
    RELAXATION = "relaxation", _("Relaxation")
    THOUGHT_RECORD = "thought-record", _("Thought record / self-monitoring")
    NOTICING_LOG = "noticing-log", _("Noticing log")
    INTERPERSONAL = "interpersonal", _("Interpersonal skills practice")
    IMAGERY_REHEARSAL = "imagery-rehearsal", _("Imagery rehearsal")
    SELF_COMPASSION = "self-compassion", _("Self-compassion")
    READING = "reading", _("Reading")
    OTHER = "other", _("Other")


class Worksheet(models.TextChoices):
    NONE = "", _("No worksheet")
    THOUGHT_RECORD = "thought-record", _("Thought record")
    BEHAVIOURAL_EXPERIMENT = "behavioural-experiment", _("Behavioural experiment")
    EXPOSURE_LOG = "exposure-log", _("Exposure log")
    ACTIVITY_SCHEDULE = "activity-schedule", _("Activity schedule")
    RELAXATION_LOG = "relaxation-log", _("Relaxation log")
    NOTICING_LOG = "noticing-log", _("Noticing log")
    FREE_DIARY = "free-diary", _("Free diary")


class ProposedBy(models.TextChoices):
    THERAPIST = "therapist", _("Therapist")
    CLIENT = "client", _("Client")
    JOINTLY = "jointly", _("Jointly")


class Framing(models.TextChoices):
    DIRECTIVE = "directive-collaborative", _("Directive-collaborative (“This week, try…”)")
    TENTATIVE = "tentative", _("Tentative (“You might notice what happens if…”)")
    EXPERIMENT = "optional-experiment", _("Optional experiment (“I wonder what would happen if…”)")


class Status(models.TextChoices):
    PROPOSED = "proposed", _("proposed by the client")
    DRAFT = "draft", _("draft")
    AGREED = "agreed", _("agreed")
    ACTIVE = "active", _("active")
    REVIEWED = "reviewed", _("reviewed")
    DECLINED = "declined", _("declined")


class Decision(models.TextChoices):
    CONTINUE = "continue", _("Continue")
    MODIFY = "modify", _("Modify")
    STOP = "stop", _("Stop")


class PlanTemplate(models.Model):
    """A starting point for a plan. Shipped ones (clinic empty) come from plans/library/*.json;
    clinics and therapists add their own."""

    audit_name = "plan-template"

    slug = models.SlugField(max_length=80)
    clinic = models.ForeignKey(
        Clinic, null=True, blank=True, on_delete=models.CASCADE, related_name="plan_templates"
    )
    created_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(_("kind of task"), max_length=40, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    summary = models.CharField(_("summary"), max_length=300)
    # {"cbt": {"rationale": …, "instructions": …}, "psychodynamic": {…}, …}: every approach.
    wording = models.JSONField()
    obstacles = models.JSONField(default=list)  # [{"kind", "description", "coping_plan"}]
    worksheet = models.CharField(
        _("worksheet"), max_length=40, choices=Worksheet.choices, blank=True
    )
    cue = models.CharField(_("cue: what will remind the client"), max_length=300, blank=True)
    how_long = models.CharField(_("how long"), max_length=120, blank=True)
    how_often = models.CharField(_("how often"), max_length=120, blank=True)
    # The details its plans ask for (names from plans.details) and which plan fields or
    # details pre-fill which worksheet fields (plans.seeds): both checked when loaded.
    details = models.JSONField(default=list, blank=True)
    seeds = models.JSONField(default=dict, blank=True)
    # The suggested reminder rule (prompts.rules.Rule's keys), or {} for none: plans.reminders.
    reminders = models.JSONField(default=dict, blank=True)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(fields=["clinic", "slug"], name="unique_template_per_clinic"),
            models.UniqueConstraint(
                fields=["slug"], condition=models.Q(clinic=None), name="unique_shipped_template"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def words_for(self, approach: str) -> dict[str, str]:
        return dict(self.wording.get(approach) or self.wording[Approach.INTEGRATIVE])


class ActionPlan(models.Model):
    audit_name = "plan"
    # How important the plan is to the client and how confident they are: their ratings,
    # so a row names them and never tells them (as a rehearsal's confidence is told nowhere).
    audit_names_only = ("importance", "confidence")

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="plans")
    set_in_session = models.ForeignKey(
        TherapySession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans_set",
        verbose_name=_("set in session"),
    )
    review_session = models.ForeignKey(
        TherapySession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="plans_to_review",
        verbose_name=_("to be reviewed in session"),
    )
    builds_on = models.ForeignKey(
        TherapySession,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("builds on the takeaway of"),
    )
    template = models.ForeignKey(
        PlanTemplate, null=True, blank=True, on_delete=models.SET_NULL, related_name="plans"
    )
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="successors"
    )

    title = models.CharField(_("title, in the client's words"), max_length=160)
    kind = models.CharField(_("kind of task"), max_length=40, choices=Kind.choices)
    goals = models.ManyToManyField(
        Goal, blank=True, related_name="plans", verbose_name=_("goals it serves")
    )
    proposed_by = models.CharField(
        _("proposed by"), max_length=20, choices=ProposedBy.choices, default=ProposedBy.JOINTLY
    )
    framing = models.CharField(
        _("framing"), max_length=30, choices=Framing.choices, default=Framing.DIRECTIVE
    )
    approach = models.CharField(
        _("wording for"), max_length=20, choices=Approach.choices, default=Approach.CBT
    )
    rationale = models.TextField(_("why this task"), blank=True, max_length=3000)
    instructions = models.TextField(_("what to do"), blank=True, max_length=4000)
    what = models.CharField(_("what exactly"), max_length=300, blank=True)
    when = models.CharField(_("when"), max_length=200, blank=True)
    where = models.CharField(_("where"), max_length=200, blank=True)
    how_long = models.CharField(_("how long"), max_length=120, blank=True)
    how_often = models.CharField(_("how often"), max_length=120, blank=True)
    with_whom = models.CharField(_("with whom"), max_length=200, blank=True)
    importance = models.PositiveSmallIntegerField(
        _("importance to the client (0–10)"), null=True, blank=True, validators=ZERO_TO_TEN
    )
    confidence = models.PositiveSmallIntegerField(
        _("client's confidence they will do it (0–10)"),
        null=True,
        blank=True,
        validators=ZERO_TO_TEN,
    )
    rehearsed = models.BooleanField(_("rehearsed in the session"), default=False)
    rehearsal_note = models.CharField(_("how it was rehearsed"), max_length=500, blank=True)
    cues = models.TextField(_("cues: what will remind the client"), blank=True, max_length=1000)
    # The reminders designed with the client: {"rule": {...}, "channels": [...]}, or {} for
    # none (plans.reminders). Once the plan is agreed, prompts keeps a schedule in line with it.
    reminders = models.JSONField(_("reminders"), default=dict, blank=True)
    worksheet = models.CharField(
        _("worksheet"), max_length=40, choices=Worksheet.choices, blank=True
    )
    rating_scale = models.CharField(
        _("the 0–100 scale the worksheet asks for"),
        max_length=80,
        blank=True,
        help_text=_("For a noticing log, e.g. “how competent I was”."),
    )
    # The facts its template asks for beyond the fields above, by name (plans.details): a
    # behavioural experiment's belief, its strength, the prediction… The client's words, so
    # the trail names the field only.
    details = models.JSONField(_("details"), default=dict, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    get_status_display = choices.display("status")  # pages name it by the dozen
    decline_reason = models.TextField(
        _("reason, which the client sees"), blank=True, max_length=1000
    )
    # Optimistic locking: every save says which version it edited; a stale one is refused.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    agreed_at = models.DateTimeField(null=True, blank=True)
    first_seen_by_client_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["client", "status"], name="plan_by_client_status")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status in (Status.DRAFT, Status.AGREED, Status.ACTIVE, Status.PROPOSED)

    @property
    def low_confidence(self) -> bool:
        return self.confidence is not None and self.confidence < LOW_CONFIDENCE


# Below this the editor suggests making the task smaller (never blocking): low confidence
# predicts that the plan will not be done, and shrinking it beats pushing.
LOW_CONFIDENCE = 7


class Obstacle(models.Model):
    class Kind(models.TextChoices):
        PRACTICAL = "practical", _("Practical")
        EMOTIONAL = "emotional", _("Emotional")

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="obstacles")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PRACTICAL)
    description = models.CharField(_("what might get in the way"), max_length=300)
    coping_plan = models.CharField(_("what I'll do then"), max_length=500, blank=True)
    position = models.PositiveSmallIntegerField(default=0)
    # Which of the template's typical obstacles this was kept from (its index there), so a
    # kept one the client put in their own words is still not offered again.
    suggested_from = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class PlanRevision(models.Model):
    """A snapshot of an agreed plan after each change: who, when, and what it then said."""

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    made_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)
    snapshot = models.JSONField()
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="unique_revision_number")
        ]

    def __str__(self) -> str:
        return f"revision {self.number}"


class Review(models.Model):
    """The in-session review of a plan: the Action Plan Review answers and the decision.

    `answers` maps each question's linkId (plans.review.QUESTIONS) to its value, so the review
    is an instrument response as it stands; `done` and `decision` are copied out for queries.
    """

    plan = models.ForeignKey(ActionPlan, on_delete=models.CASCADE, related_name="reviews")
    session = models.ForeignKey(
        TherapySession, null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    reviewed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField(default=timezone.now)
    instrument_version = models.CharField(max_length=20)
    answers = models.JSONField()
    done = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=20, choices=Decision.choices)
    get_decision_display = choices.display("decision")  # pages name it by the dozen
    # The same answers as a response to the Action Plan Review instrument (measures engine).
    response = models.OneToOneField(
        "measures.Response", null=True, blank=True, on_delete=models.SET_NULL, related_name="review"
    )

    class Meta:
        ordering = ["reviewed_at", "id"]

    def __str__(self) -> str:
        return f"review of {self.plan_id}"

    def answer(self, link_id: str) -> Any:
        return self.answers.get(link_id)


class ImageryStep(models.TextChoices):
    """The steps of the guided rehearsal (plans.imagery), in script order."""

    CUE = "cue", _("The moment it begins")
    FIRST_STEP = "first-step", _("The first small step")
    OBSTACLE = "obstacle", _("An obstacle, and the coping plan")
    RESULT = "result", _("The result, and how it feels")


class ImageryRehearsal(models.Model):
    """The plan rehearsed in imagery in the session (step 5 of the process; imagining the cue
    and the first steps makes doing them more likely, Libby et al. 2007): which steps of the
    guided script (plans.imagery) the client went through, and their confidence before and
    after it. One a plan: rehearsing again replaces it, and an agreed plan's revisions keep
    the earlier one."""

    audit_name = "imagery-rehearsal"
    audit_values = ("steps",)  # the script's step codes, never the client's words
    audit_names_only = ("confidence_before", "confidence_after")  # ratings: named, not told

    plan = models.OneToOneField(ActionPlan, on_delete=models.CASCADE, related_name="imagery")
    steps = models.JSONField(default=list)  # ImageryStep codes, in script order
    confidence_before = models.PositiveSmallIntegerField(
        _("confidence before (0–10)"), null=True, blank=True, validators=ZERO_TO_TEN
    )
    confidence_after = models.PositiveSmallIntegerField(
        _("confidence after (0–10)"), null=True, blank=True, validators=ZERO_TO_TEN
    )
    rehearsed_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    rehearsed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"imagery rehearsal of {self.plan_id}"

    def audit_scope(self) -> tuple[int | None, int | None]:
        client = self.plan.client
        return client.clinic_id, client.pk

    @property
    def step_names(self) -> list[str]:
        return [str(ImageryStep(code).label) for code in self.steps]
