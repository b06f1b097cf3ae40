"""The forms of rating a session: choosing the scale, and the rating itself (built from the
scale's definition, so an imported scale brings its own items)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.lib.forms import Form, field_of
from bridgework.lib.numbers import whole_number
from bridgework.measures.models import Instrument
from bridgework.supervision.actions import COMMENT_LENGTH, OVERALL_LENGTH


class StartForm(Form):
    """Which of the clinic's competence scales to rate the session with."""

    scale = forms.ChoiceField(label=gettext_lazy("Scale"))

    def __init__(self, *args: Any, scales: list[Instrument], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.scales = {str(scale.pk): scale for scale in scales}
        scale = field_of(self, "scale", forms.ChoiceField)
        scale.choices = [(pk, str(instrument)) for pk, instrument in self.scales.items()]

    def chosen(self) -> Instrument:
        return self.scales[self.cleaned_data["scale"]]


class RatingForm(Form):
    """A rating as sent: an answer field and a comment box per item, the overall comment,
    and the rater's word that a submission is final. Answers are kept as sent here and
    checked against the scale by supervision.actions, whose message names the item."""

    comment = forms.CharField(
        label=gettext_lazy("Overall comment"),
        required=False,
        max_length=OVERALL_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    final = forms.BooleanField(
        label=gettext_lazy(
            "I understand that a submitted rating is final and is shown to the therapist rated."
        ),
        required=False,
    )

    def __init__(self, *args: Any, definition: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = definition["item"]
        for item in self.items:
            link_id = item["linkId"]
            self.fields[f"item-{link_id}"] = forms.CharField(label=item["text"], required=False)
            self.fields[f"comment-{link_id}"] = forms.CharField(
                label=_("Comment on “%(item)s”") % {"item": item["text"]},
                required=False,
                max_length=COMMENT_LENGTH,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def answers(self) -> dict[str, Any]:
        """The rated items: a whole number where one was sent, else what was sent (for the
        refusal to quote); unrated items left out."""
        found: dict[str, Any] = {}
        for item in self.items:
            raw = self.cleaned_data.get(f"item-{item['linkId']}", "").strip()
            if raw:
                number = whole_number(raw)
                found[item["linkId"]] = raw if number is None else number
        return found

    def comments(self) -> dict[str, str]:
        return {
            item["linkId"]: words
            for item in self.items
            if (words := self.cleaned_data.get(f"comment-{item['linkId']}", "").strip())
        }

    def problems(self) -> dict[str, str]:
        """The form's own refusals (a comment too long, a character no record may hold), by
        linkId as the actions name them."""
        found: dict[str, str] = {}
        for name, errors in self.errors.items():
            link_id = name.split("-", 1)[1] if "-" in name else name
            found.setdefault(link_id, " ".join(str(error) for error in errors))
        return found
