from django.urls import include, path

from bridgework import views
from bridgework.interop.api.main import api

handler500 = "bridgework.views.server_error"

urlpatterns = [
    path("", views.home),
    path("healthz", views.healthz),
    path("", include("bridgework.accounts.urls")),
    path("", include("bridgework.care.urls")),
    path("", include("bridgework.plans.urls")),
    path("", include("bridgework.practice.urls")),
    path("", include("bridgework.prompts.urls")),
    path("", include("bridgework.measures.urls")),
    path("", include("bridgework.supervision.urls")),
    path("", include("bridgework.research.urls")),
    path("", include("bridgework.desk.urls")),
    path("", include("bridgework.interop.urls")),
    path("clinic/", include("bridgework.clinic.urls")),
    path("records/", include("bridgework.records.urls")),
    path("fhir/", include("bridgework.interop.fhir.urls")),
    path("api/v1/", api.urls),
]
