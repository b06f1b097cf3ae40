"""The analyses page of a study (`/research/studies/<id>/analyses/`), for its researchers: the
engagement model on the study's rows, the example meta-analysis, and the researcher's own
studies pooled the same way. Reading only: a posted form is pooled and shown, never stored."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.http import AuthenticatedHttpRequest, signed_in
from bridgework.lib.forms import Form
from bridgework.research import access, analyses, pasted

EXAMPLE_PASTE = "Smith 2019; -0,42; 0,050\nJones 2021; -0,18; 0,032\nOkoro 2023; -0,55; 0,081"


class StudiesForm(Form):
    studies = forms.CharField(
        label=_("Your studies, one a line: label, effect (yi), variance (vi)"),
        widget=forms.Textarea(attrs={"rows": 6, "placeholder": EXAMPLE_PASTE}),
        max_length=20000,
        help_text=_(
            "For example log risk ratios or standardised mean differences with their "
            "sampling variances. Put tabs (cells copied from a spreadsheet) or semicolons "
            "between the three: then a decimal comma or point both work (0,25 or 0.25) and "
            "a label may contain commas. Or put commas between them: then write decimals "
            "with a point (0.25)."
        ),
    )
    measure = forms.CharField(
        label=_("Name of the effect"),
        max_length=60,
        required=False,
        help_text=_("Heads the plot's numbers and titles its axis, e.g. “Log risk ratio”."),
    )


@signed_in
def analyses_page(request: AuthenticatedHttpRequest, study_id: int) -> HttpResponse:
    study = access.get_study_for_researcher(request, study_id)
    context: dict[str, Any] = {"study": study, "form": StudiesForm()}
    result = analyses.engagement_on_study(study)
    if result.rows_read:
        access.record_analyses(
            request, study, clients=result.clients, observations=result.observations
        )
    context["engagement"] = result
    if result.model is not None:
        context["sentence"] = analyses.in_words(result.model)
    context["example"] = analyses.bcg_example()
    if request.method == "POST":
        context.update(pooled_from(StudiesForm(request.POST)))
    return render(request, "research/analyses.html", context)


def pooled_from(form: StudiesForm) -> dict[str, Any]:
    if not form.is_valid():
        return {"form": form}
    try:
        studies = pasted.parse_studies(form.cleaned_data["studies"])
        measure = form.cleaned_data["measure"] or str(_("Effect"))
        pooled = analyses.pool(studies.labels, studies.yi, studies.vi, measure=measure)
        return {"form": form, "yours": pooled}
    except pasted.StudiesRefused as refused:
        form.add_error("studies", str(refused))
        return {"form": form}
