from django.urls import path
from django.views.i18n import JavaScriptCatalog

from bridgework.accounts import passkey_views, views

urlpatterns = [
    path("accounts/sign-in/", views.sign_in),
    path("accounts/sign-out/", views.sign_out),
    path("accounts/second-factor/", views.second_factor),
    path("accounts/second-factor/setup/", views.second_factor_setup),
    path("accounts/second-factor/passkey/", passkey_views.passkey_setup),
    path("accounts/passkeys/", passkey_views.passkeys_page),
    path("accounts/passkeys/<int:passkey_id>/name/", passkey_views.name_passkey),
    path("accounts/passkeys/<int:passkey_id>/remove/", passkey_views.remove_passkey),
    path("accounts/passkeys/registration/begin/", passkey_views.BeginRegistration.as_view()),
    path("accounts/passkeys/registration/complete/", passkey_views.CompleteRegistration.as_view()),
    path("accounts/passkeys/authentication/begin/", passkey_views.BeginAuthentication.as_view()),
    path(
        "accounts/passkeys/authentication/complete/",
        passkey_views.CompleteAuthentication.as_view(),
    ),
    # The library's scripts call gettext(): its messages, in the page's language.
    path(
        "accounts/passkeys/jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
    ),
    path("accounts/settings/", views.staff_settings),
    path("accounts/password-reset/", views.forgot_password),
    path("accounts/password-reset/sent/", views.password_reset_sent),
    path("accounts/password-reset/new/", views.new_password),
    path("accounts/password-reset/<str:token>/", views.password_reset_link),
    path("invitations/<str:token>/", views.accept_invitation),
]
