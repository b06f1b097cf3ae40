"""The training pages' routes (supervision.urls includes them): the scenario library and
assigning under supervision/, the trainee's practice under training/."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgework.supervision import training_views as views

urlpatterns: list[URLPattern] = [
    path("supervision/scenarios/", views.library),
    path("supervision/scenarios/<slug:slug>/", views.scenario_page),
    path("supervision/scenarios/<slug:slug>/assign/", views.assign),
    path("supervision/assignments/<int:assignment_id>/close/", views.close_assignment),
    path("training/", views.training_home),
    path("training/assignments/<int:assignment_id>/", views.assignment_page),
    path("training/assignments/<int:assignment_id>/attempts/", views.start_attempt),
    path("training/attempts/<int:role_play_id>/finish/", views.finish_attempt),
]
