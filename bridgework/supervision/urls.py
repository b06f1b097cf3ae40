"""Supervision and training pages. Rating (views.py), the scenario library and role-plays
(training.py), the trainee dashboards and the indicators per month (dashboard.py), and the
agreement between raters (calibration.py)."""

from __future__ import annotations

from django.urls import URLPattern, path  # noqa: F401

from bridgework.supervision import training_urls

urlpatterns: list[URLPattern] = []

# The scenario library, assignments and role-plays (training_views.py).
urlpatterns += training_urls.urlpatterns
