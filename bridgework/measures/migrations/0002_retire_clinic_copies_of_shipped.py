"""Before shipped questionnaires were protected, a clinic could import its own copy of one
(say "phq-9"), which then served its clients and could lack a safety rule such as the item-9
risk flag. Such copies are retired: new responses use the shipped version again, and the
responses made to a copy keep it."""

from __future__ import annotations

from typing import Any

from django.db import migrations
from django.utils import timezone


def retire_copies(apps: Any, schema_editor: Any) -> None:
    Instrument = apps.get_model("measures", "Instrument")
    shipped = Instrument.objects.filter(clinic=None).values("slug")
    Instrument.objects.filter(clinic__isnull=False, slug__in=shipped, retired_at=None).update(
        retired_at=timezone.now()
    )


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]

    operations = [migrations.RunPython(retire_copies, migrations.RunPython.noop)]
