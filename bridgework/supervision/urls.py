"""Supervision and training pages. Rating (views.py), the scenario library and role-plays
(training.py), the trainee dashboards and the indicators per month (dashboard.py), and the
agreement between raters (calibration.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgework.supervision import dashboard

urlpatterns: list[URLPattern] = [
    path("supervision/therapists/<int:therapist_id>/", dashboard.trainee),
    path(
        "supervision/therapists/<int:therapist_id>/charts/<slug:name>.svg",
        dashboard.trainee_chart,
    ),
    path("supervision/therapists/<int:therapist_id>/indicators.csv", dashboard.indicators_csv),
]
