from django.urls import path

from bridgework.records import views

urlpatterns = [
    path("policy/", views.retention_policy),
    path("clients/<int:client_id>/", views.client_records),
    path("clients/<int:client_id>/holds/", views.place_hold),
    path("clients/<int:client_id>/erasure-requests/", views.request_erasure),
    path("holds/<int:hold_id>/release/", views.release_hold),
    path("erasure-requests/<int:request_id>/erase/", views.erase),
    path("erasures/", views.erasures),
]
