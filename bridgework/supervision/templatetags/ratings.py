"""How the supervision pages show a rating's state (who rated: `CompetenceRating.rater_name`,
which always labels a self-rating as one)."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _

from bridgework.supervision.models import CompetenceRating

register = template.Library()


@register.filter
def state_of(rating: CompetenceRating | None) -> str:
    """The state as the lists show it: not rated, draft, submitted."""
    if rating is None:
        return _("not rated")
    return str(rating.get_state_display())
