"""Whether a backup's schema is the one this code knows: no migration the code lacks (a
backup from a newer Bridgework), none the backup lacks (an older one, to migrate first)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.db.migrations.loader import MigrationLoader

Migration = tuple[str, str]  # (app label, migration name)


class NewerSchema(Exception):
    """The backup holds migrations this code does not know: restoring it here would run new
    data under old code."""

    def __init__(self, unknown: list[Migration]) -> None:
        self.unknown = unknown
        named = ", ".join(f"{app} {name}" for app, name in unknown)
        verb = "is" if len(unknown) == 1 else "are"
        super().__init__(
            f"The backup's schema is newer than this Bridgework: {named} {verb} not known "
            "here; restore it with that version or newer."
        )


def known_here() -> set[Migration]:
    """Every migration on disk for the installed apps (Django's and Bridgework's)."""
    return set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def flattened(migrations: Mapping[str, Iterable[str]]) -> set[Migration]:
    return {(app, name) for app, names in migrations.items() for name in names}


def refuse_newer(applied: set[Migration], known: set[Migration]) -> None:
    unknown = sorted(applied - known)
    if unknown:
        raise NewerSchema(unknown)


def not_applied(applied: set[Migration], known: set[Migration]) -> list[Migration]:
    """Migrations this code has that the backup lacks: it comes from an older Bridgework."""
    return sorted(known - applied)
