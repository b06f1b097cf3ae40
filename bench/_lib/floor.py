"""Floor (a) of bench/practice_log.py: the least a Django view can do for the same request.

It checks the session (the same middleware stack as Bridgework) and inserts the same row —
no access door, no audit, no validation. Served by gunicorn as bench._lib.floor:application.
"""

from __future__ import annotations

import json
import os
import uuid

import django
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bridgework.settings")
django.setup()


def floor_view(request: HttpRequest) -> JsonResponse:
    from bridgework.practice.models import PracticeLog

    if not request.user.is_authenticated:
        return JsonResponse({"error": "signed out"}, status=403)
    form = json.loads(request.body)["form"]
    PracticeLog.objects.create(
        uid=uuid.UUID(form["uid"]),
        client_id=int(form["client"]),
        plan_id=int(form["plan"]),
        created_by_id=request.user.pk,
        outcome=form["outcome"],
        practiced_at=timezone.now(),
        worksheet="quick",
        worksheet_version=1,
        entries={"how_it_went": int(form["entries.how_it_went"])},
    )
    return JsonResponse({"status": "saved"}, status=201)


urlpatterns = [path("bench/floor/", floor_view), path("", include("bridgework.urls"))]
settings.ROOT_URLCONF = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
