from django.urls import path

from bridgework.accounts import views

urlpatterns = [
    path("accounts/sign-in/", views.sign_in),
    path("accounts/sign-out/", views.sign_out),
    path("accounts/second-factor/", views.second_factor),
    path("accounts/second-factor/setup/", views.second_factor_setup),
    path("invitations/<str:token>/", views.accept_invitation),
]
