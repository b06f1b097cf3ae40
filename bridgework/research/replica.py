"""Which database research reads come from: the streaming replica when DATABASE_REPLICA_URL
is set (settings.DATABASES["replica"]), so exports never load the primary; else the one
database."""

from __future__ import annotations

from django.conf import settings


def research_database() -> str:
    return "replica" if "replica" in settings.DATABASES else "default"
