from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import verify


class Command(BaseCommand):
    help = "Check the audit trail's hash chains and report the first broken link of each."

    def handle(self, *args: Any, **options: Any) -> None:
        broken = list(verify())
        if broken:
            for link in broken:
                self.stderr.write(f"Broken: {link}")
            raise CommandError(f"The audit trail is broken in {len(broken)} chain(s).")
        self.stdout.write(f"The audit trail is intact ({AccessEvent.objects.count()} rows).")
