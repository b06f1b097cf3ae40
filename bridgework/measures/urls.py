from django.urls import path

from bridgework.measures import views

urlpatterns = [
    path("me/measures/<slug:slug>/", views.fill_in),
    path("flags/<int:flag_id>/acknowledge/", views.acknowledge),
    path("clients/<int:client_id>/flags/", views.flag_history),
    path("responses/<int:response_id>/baseline/", views.mark_baseline),
    path("clients/<int:client_id>/measures/<slug:slug>/", views.enter_in_session),
]
