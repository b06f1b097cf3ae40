from __future__ import annotations

import pytest

from bridgework.backups.schema import NewerSchema, not_applied, refuse_newer

HERE = {("audit", "0001_initial"), ("research", "0001_initial"), ("research", "0002_exports")}


def test_a_backup_with_every_migration_known_here_passes() -> None:
    refuse_newer(set(HERE), HERE)
    assert not_applied(set(HERE), HERE) == []


def test_it_names_every_migration_of_a_newer_schema() -> None:
    backup = HERE | {("research", "0003_later"), ("care", "0040_later")}
    with pytest.raises(NewerSchema) as refused:
        refuse_newer(backup, HERE)
    assert str(refused.value) == (
        "The backup's schema is newer than this Bridgework: care 0040_later, research "
        "0003_later are not known here; restore it with that version or newer."
    )


def test_an_older_backup_lacks_the_migrations_made_since() -> None:
    older = HERE - {("research", "0002_exports")}
    refuse_newer(older, HERE)
    assert not_applied(older, HERE) == [("research", "0002_exports")]
