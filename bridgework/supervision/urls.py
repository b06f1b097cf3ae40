"""Supervision and training pages. Rating (views.py), the scenario library and role-plays
(training_views.py, routes in training_urls.py), the trainee dashboards and the indicators per
month (dashboard.py), and the agreement between raters (calibration.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgework.supervision import calibration, dashboard, training_urls, views

urlpatterns: list[URLPattern] = [
    path("supervision/", views.home),
    path("supervision/sessions/<int:session_id>/rate/", views.rate),
    path("supervision/ratings/<int:rating_id>/", views.rating_page),
    path("supervision/agreement/", calibration.overview),
    path("supervision/agreement/<int:rater_id>/<int:scale_id>/", calibration.with_rater),
    path("supervision/therapists/<int:therapist_id>/", dashboard.trainee),
    path("supervision/therapists/<int:therapist_id>/indicators.csv", dashboard.indicators_csv),
]

# The scenario library, assignments and role-plays (training_views.py).
urlpatterns += training_urls.urlpatterns
