from django.urls import path

from bridgework.desk import downloads, views

urlpatterns = [
    path("clients/", views.caseload),
    path("clients/<int:client_id>/", views.client_page),
    path("clients/<int:client_id>/agenda/", views.agenda),
    path("clients/<int:client_id>/charts/<slug:name>.svg", views.client_chart),
    path("clients/<int:client_id>/engagement.csv", downloads.engagement_csv),
    path("me/my-data/", views.my_data),
]
