"""Every review stored before the measures engine becomes a response to the Action Plan Review
instrument, with the same answers, time, session and reviewer: nothing is lost."""

import json
from pathlib import Path

from django.db import migrations

DEFINITION = Path(__file__).resolve().parents[2] / "measures" / "instruments" / "action-plan-review.json"


def forwards(apps, schema_editor):
    Review = apps.get_model("plans", "Review")
    Instrument = apps.get_model("measures", "Instrument")
    Response = apps.get_model("measures", "Response")
    waiting = Review.objects.filter(response=None).select_related("plan")
    if not waiting.exists():
        return
    definition = json.loads(DEFINITION.read_text(encoding="utf-8"))
    instrument, _created = Instrument.objects.get_or_create(
        clinic=None, slug="action-plan-review", version=definition["version"],
        defaults={"title": definition["title"], "definition": definition},
    )
    for review in waiting.iterator():
        review.response = Response.objects.create(
            client_id=review.plan.client_id, instrument=instrument, session_id=review.session_id,
            answers=review.answers, scores={}, completed_at=review.reviewed_at,
            entered_by_id=review.reviewed_by_id,
        )
        review.save(update_fields=["response"])


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0003_review_response"),
        ("measures", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
