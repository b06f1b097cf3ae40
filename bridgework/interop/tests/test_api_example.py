"""scripts/api-example.py, run against a live server over HTTP with real tokens: the issue's
"done when" as a program outside Bridgework does it."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from django.conf import settings

from bridgework.care.models import Client
from bridgework.interop.models import Area
from bridgework.interop.tests.fhir_records import history
from bridgework.interop.tests.helpers import token_for
from bridgework.test import make_client, make_clinic, make_staff, user_of

pytestmark = pytest.mark.django_db(transaction=True)


def the_script() -> ModuleType:
    path = Path(settings.BASE_DIR) / "scripts" / "api-example.py"
    spec = importlib.util.spec_from_file_location("api_example", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    return script


def test_the_example_script_walks_the_caseload_practice_and_the_record(live_server) -> None:
    northside, riverside = make_clinic("Northside"), make_clinic("Riverside")
    therapist = make_staff(northside, "therapist", "therapist")
    client = make_client(northside, "client", therapist)
    history(client, therapist, weeks=1)
    receiving = make_staff(riverside, "river_therapist", "therapist")
    tokens = {
        "therapist": token_for(therapist, write=False, areas=[Area.CLIENTS, Area.RECORDS])[1],
        "client": token_for(user_of(client), areas=[Area.PRACTICE])[1],
        "admin": token_for(make_staff(riverside, "river_admin", "clinic_admin"))[1],
    }

    walked = the_script().walk(live_server.url, tokens, receiving.pk)

    assert walked["caseload"] == 1
    assert walked["practice_log"]["statuses"] == [201, 200]
    assert walked["first_import"]["status"] == 201 and walked["first_import"]["created"] > 0
    second = walked["second_import"]
    assert (second["status"], second["created"], second["changed"]) == (200, 0, 0)
    imported = Client.objects.get(pk=walked["imported_client"])
    assert (imported.clinic, imported.full_name) == (riverside, "Client")
