from django.urls import path

from bridgework.care import views

urlpatterns = [
    path("clients/<int:client_id>/goals/", views.add_goal),
    path("clients/<int:client_id>/sessions/new/", views.add_session),
    path("clients/<int:client_id>/end-of-therapy/", views.end_of_therapy),
    path("goals/<int:goal_id>/achieved/", views.toggle_goal),
    path("sessions/<int:session_id>/", views.edit_session),
    path("me/consents/", views.client_consents),
    path("me/consents/research/", views.research_consent),
]
