from django.urls import path

from bridgework.plans import views

urlpatterns = [
    path("clients/<int:client_id>/plans/new/", views.new_plan),
    path("plans/templates/", views.template_library),
    path("plans/templates/new/", views.new_template),
    path("plans/<int:plan_id>/", views.plan_page),
    path("plans/<int:plan_id>/edit/", views.edit_plan),
    path("plans/<int:plan_id>/agree/", views.agree_plan),
    path("plans/<int:plan_id>/start/", views.start_plan),
    path("plans/<int:plan_id>/accept/", views.accept_proposal),
    path("plans/<int:plan_id>/decline/", views.decline_proposal),
    path("plans/<int:plan_id>/imagery/", views.rehearse_in_imagery),
    path("plans/<int:plan_id>/review/", views.review_plan),
    path("plans/<int:plan_id>/revisions/<int:number>/", views.revision),
    path("plans/<int:plan_id>/summary/", views.summary),
    path("plans/<int:plan_id>/summary.pdf", views.summary_pdf),
    path("plans/<int:plan_id>/shared-screen/", views.shared_screen),
    path("shared-screen/exit/", views.exit_shared_screen),
    path("me/plans/<int:plan_id>/", views.client_plan),
    path("me/plans/propose/", views.propose_plan),
]
