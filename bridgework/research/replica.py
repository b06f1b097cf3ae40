"""Which database research reads come from: the streaming replica when DATABASE_REPLICA_URL
is set (settings.DATABASES["replica"]), so exports never load the primary; else the one
database. The replica may lag a moment behind: the export asks the primary which of the
replica's consenting clients have withdrawn meanwhile (research.export.context)."""

from __future__ import annotations

from django.conf import settings

REPLICA = "replica"


def research_database() -> str:
    return REPLICA if REPLICA in settings.DATABASES else "default"
