"""The dashboard per trainee (`/supervision/therapists/<id>/`), for the trainee's supervisors
and the trainee themselves: plan-quality indicators per month (monthly.py) as pictures and a
table, and as CSV; competence ratings over time (competence.py) as pictures and tables; the
newest comments; the scenarios practised (practised.py); and the indicators beside the
supervisors' ratings, item by item (beside.py). Every read goes through supervision's doors
(`get_trainee_for_user`, `trainee_records`, `ratings_for_user`)."""

from __future__ import annotations

import csv
import io

from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import render

from bridgework.accounts.http import AuthenticatedHttpRequest, signed_in
from bridgework.accounts.models import User
from bridgework.audit.reading import csv_cell
from bridgework.plans.indicators import LABELS
from bridgework.practice.progress import svg_response
from bridgework.supervision import beside, competence, pictures, practised
from bridgework.supervision.access import get_trainee_for_user, ratings_for_user, trainee_records
from bridgework.supervision.models import CompetenceRating
from bridgework.supervision.monthly import HEADINGS, MEASURES, MonthRow, monthly


def submitted_ratings(
    request: AuthenticatedHttpRequest, therapist: User
) -> QuerySet[CompetenceRating]:
    return (
        ratings_for_user(request)
        .filter(therapist=therapist, state=CompetenceRating.State.SUBMITTED)
        .order_by("session__starts_at", "id")
    )


@signed_in
def trainee(request: AuthenticatedHttpRequest, therapist_id: int) -> HttpResponse:
    therapist = get_trainee_for_user(request, therapist_id)
    records = trainee_records(request, therapist)
    rows = monthly(records)
    ratings = list(submitted_ratings(request, therapist))
    courses = competence.courses(ratings)
    return render(
        request,
        "supervision/trainee.html",
        {
            "therapist": therapist,
            "own_page": records.role == "therapist",
            # (heading, its label for screen readers, or "" where the heading says it all)
            "measures": [
                (HEADINGS[code], label if code in LABELS else "")
                for code, label in MEASURES.items()
            ],
            "legend": [(code, label) for code, label in MEASURES.items() if code in LABELS],
            "rows": rows,
            "indicator_pictures": pictures.indicator_pictures(rows),
            "courses": courses,
            "rating_pictures": pictures.rating_pictures(courses),
            "comments": competence.latest_comments(ratings),
            "practised": practised.practised(therapist),
            "comparisons": beside.beside(records, ratings),
            "chart_base": f"/supervision/therapists/{therapist.pk}/charts/",
        },
    )


@signed_in
def trainee_chart(request: AuthenticatedHttpRequest, therapist_id: int, name: str) -> HttpResponse:
    """One of the dashboard's pictures (an image; its table is on the page)."""
    therapist = get_trainee_for_user(request, therapist_id)
    kind, _dash, which = name.partition("-")
    if kind == "measure" and which in MEASURES:
        rows = monthly(trainee_records(request, therapist))
        if rows:
            return svg_response(pictures.measure_svg(rows, which))
    if kind == "ratings":
        for course in competence.courses(submitted_ratings(request, therapist)):
            if course.chart_name == name and course.sessions:
                return svg_response(pictures.ratings_svg(course))
    raise Http404


# The CSV's columns: the month, its plans, then n, N and the percentage of each measure.
def csv_names() -> list[str]:
    names = ["month", "plans"]
    for measure in MEASURES:
        code = measure.replace("-", "_")
        names += [f"{code}_present", f"{code}_applicable", f"{code}_percent"]
    return names


def csv_row(row: MonthRow) -> list[object]:
    cells: list[object] = [row.month.strftime("%Y-%m"), row.plans]
    for measure in MEASURES:
        share = row.share(measure)
        cells += [share.present, share.applicable, "" if share.percent is None else share.percent]
    return [csv_cell(cell) for cell in cells]


@signed_in
def indicators_csv(request: AuthenticatedHttpRequest, therapist_id: int) -> HttpResponse:
    """The monthly table as CSV, recorded as an export per client counted."""
    therapist = get_trainee_for_user(request, therapist_id)
    rows = monthly(trainee_records(request, therapist, export="plan-indicators"))
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(csv_names())
    writer.writerows(csv_row(row) for row in rows)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    # The therapist's number, not their name, as the client downloads do.
    response["Content-Disposition"] = (
        f'attachment; filename="bridgework-plan-indicators-therapist-{therapist.pk}.csv"'
    )
    return response
