"""Every change to a competence rating: one function each, audited, refusing what the rules
do not allow with a message that says why.

Life cycle: started (a draft, its rater's alone) → saved as often as the rater likes →
submitted (scored at once; final; shown to the therapist rated). One rating per rater,
session and scale: starting again opens the same one.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bridgework.accounts.models import User
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed
from bridgework.care.models import TherapySession
from bridgework.lib import text
from bridgework.measures import scoring
from bridgework.measures.models import Instrument
from bridgework.supervision import access
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.scales import allowed_values, scales_for

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE
COMMENT_LENGTH = 2000  # an item's comment
OVERALL_LENGTH = CompetenceRating._meta.get_field("comment").max_length or 4000
SHOWN_OF_A_REFUSED_VALUE = 20  # characters of what was sent, quoted back in the message


class RatingRefused(Exception):
    """The rating cannot be started, changed or submitted. The message says why and what to
    do; `problems` names the items at fault (by linkId, "comment" for the overall one)."""

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or {}


@transaction.atomic
def start_rating(session: TherapySession, instrument: Instrument, *, by: User) -> CompetenceRating:
    """The rater's rating of this session on this scale: a new draft, or the one they
    started before (whatever its state)."""
    if access.rater_role(by, session) is None:
        raise RatingRefused(
            _(
                "You can rate sessions that have taken place: those of the therapists you "
                "supervise, and your own as a self-rating."
            )
        )
    if instrument not in scales_for(session.client.clinic):
        raise RatingRefused(_("Choose one of your clinic's competence scales."))
    # The unique constraint decides between two starts at the same moment, not a look first.
    rating, created = CompetenceRating.objects.get_or_create(
        rater=by,
        session=session,
        instrument=instrument,
        defaults={"clinic_id": session.client.clinic_id, "therapist_id": session.therapist_id},
    )
    if created:
        changed(by, CREATE, rating)
    return rating


@transaction.atomic
def save_draft(
    rating: CompetenceRating,
    *,
    answers: dict[str, Any],
    comments: dict[str, str],
    comment: str,
    by: User,
) -> CompetenceRating:
    """Keep the rater's answers ({linkId: whole number}, unrated items left out) and
    comments as the draft. Every answer must be one the scale's item offers; anything else
    refuses the whole save, naming the item, and nothing is kept."""
    locked = draft_of(rating, by)
    comment = text.normalise(comment).strip()
    if problems := content_problems(locked.instrument.definition, answers, comments, comment):
        raise RatingRefused(
            _("Nothing was saved. Correct the items marked below, then save again."), problems
        )
    was = trail.snapshot(locked)
    locked.answers = dict(answers)
    locked.comments = {key: words for key, words in comments.items() if words}
    locked.comment, locked.updated_at = comment, timezone.now()
    locked.save(update_fields=["answers", "comments", "comment", "updated_at"])
    changed(by, CHANGE, locked, before=was)
    return locked


@transaction.atomic
def save_and_submit(
    rating: CompetenceRating,
    *,
    answers: dict[str, Any],
    comments: dict[str, str],
    comment: str,
    by: User,
) -> CompetenceRating:
    """The rating page's "Submit": the answers as sent, saved and submitted at once, or,
    if anything is wrong with them or a required item is unrated, nothing at all."""
    locked = draft_of(rating, by)
    definition = locked.instrument.definition
    problems = content_problems(definition, answers, comments, text.normalise(comment).strip())
    if problems:
        raise RatingRefused(
            _("Nothing was saved or submitted. Correct the items marked below."), problems
        )
    if missing := unrated(definition, answers):
        raise RatingRefused(
            _("Nothing was saved or submitted: every item marked below needs a rating first."),
            missing,
        )
    saved = save_draft(locked, answers=answers, comments=comments, comment=comment, by=by)
    return submit(saved, by=by)


@transaction.atomic
def submit(rating: CompetenceRating, *, by: User) -> CompetenceRating:
    """Score the draft and make it final: from now on the therapist rated sees it, and a
    second rater of the session sees it once they have submitted theirs."""
    locked = draft_of(rating, by)
    definition = locked.instrument.definition
    if missing := unrated(definition, locked.answers):
        raise RatingRefused(
            _("Not submitted: every item marked below needs a rating first."), missing
        )
    if problems := answer_problems(definition, locked.answers):
        raise RatingRefused(_("Not submitted: correct the items marked below."), problems)
    was = trail.snapshot(locked)
    now = timezone.now()
    # Scored as a questionnaire response is, kept in the same shape.
    locked.scores = scoring.stored_scores(definition, locked.answers)
    locked.state, locked.submitted_at, locked.updated_at = (
        CompetenceRating.State.SUBMITTED,
        now,
        now,
    )
    locked.save(update_fields=["scores", "state", "submitted_at", "updated_at"])
    changed(by, CHANGE, locked, before=was)
    return locked


def draft_of(rating: CompetenceRating, by: User) -> CompetenceRating:
    """The rating locked for this change: its rater's, still a draft, and of a session its
    rater may still rate (a supervision that has ended ends the supervisor's drafts of it
    too). The lock makes a second submission wait for the first and then find it
    submitted."""
    locked = (
        CompetenceRating.objects.select_for_update(of=("self",))
        .select_related("instrument", "session__client", "session__therapist")
        .get(pk=rating.pk)
    )
    if locked.rater_id != by.pk:
        raise RatingRefused(_("Only the person who rates can change a rating."))
    if access.rater_role(by, locked.session) is None:
        raise RatingRefused(
            _(
                "You can no longer rate this session: you rate the sessions of the therapists "
                "you supervise, and your own as a self-rating. The draft stays as it was."
            )
        )
    if locked.state == CompetenceRating.State.SUBMITTED:
        assert locked.submitted_at is not None
        raise RatingRefused(
            _(
                "This rating was submitted on %(date)s and is final: it cannot be changed, "
                "nor submitted again."
            )
            % {"date": date_format(timezone.localtime(locked.submitted_at), _("j M Y, H:i"))}
        )
    return locked


def content_problems(
    definition: dict[str, Any], answers: dict[str, Any], comments: dict[str, str], comment: str
) -> dict[str, str]:
    """Everything wrong with a rating's answers and comments, by linkId ("comment": the
    overall one)."""
    problems = answer_problems(definition, answers) | comment_problems(definition, comments)
    if refused := text.refused_in(comment):
        problems["comment"] = refused.message(_("Overall comment"))
    elif len(comment) > OVERALL_LENGTH:
        problems["comment"] = _("Overall comment: at most %(n)d characters.") % {
            "n": OVERALL_LENGTH
        }
    return problems


def unrated(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    return {
        item["linkId"]: _("Rate this item before submitting.")
        for item in definition["item"]
        if item.get("required") and item["type"] != "text" and item["linkId"] not in answers
    }


def answer_problems(definition: dict[str, Any], answers: dict[str, Any]) -> dict[str, str]:
    """What is wrong with each answer, by linkId: every answer is a whole number the item
    offers (a choice's options, an integer item's range), so a clinic's imported scale with
    another range is held to its own."""
    items = {item["linkId"]: item for item in definition["item"]}
    problems = {}
    for link_id, value in answers.items():
        item = items.get(link_id)
        if item is None:
            problems[link_id] = _("%(item)s is not an item of this scale.") % {
                "item": str(link_id)[:SHOWN_OF_A_REFUSED_VALUE]
            }
            continue
        allowed = allowed_values(item)
        number = isinstance(value, int) and not isinstance(value, bool)
        if not number or value not in allowed:
            problems[link_id] = _(
                "“%(item)s”: %(value)s is not one of its ratings (%(allowed)s)."
            ) % {
                "item": item["text"],
                "value": str(value)[:SHOWN_OF_A_REFUSED_VALUE] or "—",
                "allowed": in_words(allowed),
            }
    return problems


def in_words(allowed: list[int]) -> str:
    if not allowed:
        return _("this item takes a comment, not a rating")
    if allowed == list(range(allowed[0], allowed[-1] + 1)):
        return _("a whole number from %(low)d to %(high)d") % {
            "low": allowed[0],
            "high": allowed[-1],
        }
    return _("one of %(values)s") % {"values": ", ".join(str(v) for v in allowed)}


def comment_problems(definition: dict[str, Any], comments: dict[str, str]) -> dict[str, str]:
    texts = {item["linkId"]: item["text"] for item in definition["item"]}
    problems = {}
    for link_id, words in comments.items():
        label = texts.get(link_id)
        if label is None:
            problems[link_id] = _("%(item)s is not an item of this scale.") % {
                "item": str(link_id)[:SHOWN_OF_A_REFUSED_VALUE]
            }
        elif refused := text.refused_in(words):
            problems[link_id] = refused.message(label)
        elif len(words) > COMMENT_LENGTH:
            problems[link_id] = _("“%(item)s”: a comment of at most %(n)d characters.") % {
                "item": label,
                "n": COMMENT_LENGTH,
            }
    return problems
