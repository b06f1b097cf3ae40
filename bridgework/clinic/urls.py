from django.urls import path

from bridgework.clinic import audit, views

urlpatterns = [
    path("", views.overview),
    path("settings/", views.clinic_settings),
    path("instruments/", views.instruments),
    path("staff/invite/", views.invite_staff),
    path("staff/<int:user_id>/", views.staff_member),
    path("staff/<int:user_id>/reset-second-factor/", views.reset_second_factor),
    path("staff/<int:user_id>/email/", views.staff_address),
    path("staff/<int:user_id>/send-password-reset/", views.staff_password_reset),
    path("clients/", views.roster),
    path("clients/new/", views.new_client),
    path("clients/<int:client_id>/", views.client_roster_entry),
    path("clients/<int:client_id>/email/", views.client_address),
    path("clients/<int:client_id>/send-password-reset/", views.client_password_reset),
    path("invitations/<int:invitation_id>/revoke/", views.revoke_invitation),
    path("invitations/<int:invitation_id>/reissue/", views.reissue_invitation),
    path("audit/", audit.audit_trail),
    path("audit/export.csv", audit.audit_export),
]
