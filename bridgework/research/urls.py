"""Research pages (views.py): the clinic admin's studies and access, the researcher's
studies, exports and codebook."""

from __future__ import annotations

from django.urls import URLPattern, path

from bridgework.research import analysis_views, views

urlpatterns: list[URLPattern] = [
    path("research/", views.home),
    path("research/studies/", views.studies),
    path("research/studies/new/", views.new_study),
    path("research/studies/<int:study_id>/", views.study),
    path("research/studies/<int:study_id>/edit/", views.edit_study),
    path("research/studies/<int:study_id>/access/", views.study_access),
    path("research/studies/<int:study_id>/exports/", views.request_export),
    path("research/studies/<int:study_id>/codebook/", views.codebook),
    path("research/studies/<int:study_id>/analyses/", analysis_views.analyses_page),
    path("research/studies/<int:study_id>/datapackage.json", views.datapackage),
    path("research/exports/<int:export_id>/status/", views.export_status),
    path("research/exports/<int:export_id>/download/", views.download),
]
