from django.urls import path

from bridgework.interop import views

urlpatterns = [
    path("tokens/", views.tokens),
    path("tokens/clinic/", views.clinic_tokens),
    path("tokens/<int:token_id>/revoke/", views.revoke),
]
