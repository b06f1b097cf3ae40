from django.urls import path

from bridgework.accounts import views

urlpatterns = [
    path("accounts/sign-in/", views.sign_in),
    path("accounts/sign-out/", views.sign_out),
    path("accounts/second-factor/", views.second_factor),
    path("accounts/second-factor/setup/", views.second_factor_setup),
    path("accounts/settings/", views.staff_settings),
    path("accounts/password-reset/", views.forgot_password),
    path("accounts/password-reset/sent/", views.password_reset_sent),
    path("accounts/password-reset/new/", views.new_password),
    path("accounts/password-reset/<str:token>/", views.password_reset_link),
    path("invitations/<str:token>/", views.accept_invitation),
]
