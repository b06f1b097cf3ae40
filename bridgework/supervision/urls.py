"""Supervision and training pages. Rating (views.py), the scenario library and role-plays
(training.py), the trainee dashboards and the indicators per month (dashboard.py), and the
agreement between raters (calibration.py)."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgework.supervision import views

urlpatterns: list[URLPattern] = [
    path("supervision/", views.home),
    path("supervision/sessions/<int:session_id>/rate/", views.rate),
    path("supervision/ratings/<int:rating_id>/", views.rating_page),
]
