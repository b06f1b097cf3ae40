"""How the supervision pages name a rating: a self-rating is always labelled as one."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from bridgework.supervision.models import CompetenceRating

register = template.Library()


@register.filter
def rated_by(rating: CompetenceRating) -> str:
    """ "Self-rating", or the rater's name."""
    return _("Self-rating") if rating.is_self_rating else rating.rater.full_name


@register.filter
def state_of(rating: CompetenceRating | None) -> str:
    """The state as the lists show it: not rated, draft, submitted."""
    if rating is None:
        return _("not rated")
    return str(rating.get_state_display())
