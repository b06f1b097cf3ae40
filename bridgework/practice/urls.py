from django.urls import path

from bridgework.practice import views

urlpatterns = [
    path("me/", views.today),
    path("me/practice/", views.post_practice),
    path("me/plans/<int:plan_id>/log/", views.log_for_plan),
    path("me/diary/", views.diary),
    path("me/check-in/", views.check_in),
    path("me/sync/", views.sync),
    path("me/history/", views.history),
    path("me/progress/", views.my_progress),
    path("me/progress/<slug:name>.svg", views.progress_chart),
    path("practice/<int:log_id>/", views.log_detail),
    path("practice/<int:log_id>/privacy/", views.log_privacy),
    path("practice/<int:log_id>/series.svg", views.log_series),
    path("clients/<int:client_id>/scales/", views.scales),
]

from bridgework.practice import pwa  # noqa: E402

urlpatterns += [
    path("manifest.webmanifest", pwa.manifest),
    path("sw.js", pwa.service_worker),
    path("me/offline/", pwa.offline),
]
