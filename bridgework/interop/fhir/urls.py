from __future__ import annotations

from django.urls import path

from bridgework.interop.fhir import views

urlpatterns = [
    path("clients/<int:client_id>/", views.record_page),
    path("clients/<int:client_id>/record.json", views.record_json),
    path("clients/<int:client_id>/pseudonymised.json", views.pseudonymised_json),
    path("import/", views.import_page),
]
