"""Taking a backup of the live database, with its manifest."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from django.db import connections

from bridgework.backups import manifest, postgres, sqlite
from bridgework.backups.aliases import database_named
from bridgework.backups.files import new_private_file


def take(out: Path) -> tuple[manifest.Manifest, Path]:
    """Write a backup of the live database to the new file `out` and its manifest beside it;
    returns the manifest and where it went. A failed backup leaves no file behind."""
    live = connections["default"]
    new_private_file(out)  # refuses an existing file, which the clean-up below must not touch
    try:
        if live.vendor == "sqlite":
            sqlite.backup(live, out)
            # The copy is the snapshot: its rows are the ones at backup time.
            with database_named(str(out)) as copy:
                held = manifest.read_from(copy)
        else:
            with postgres.snapshot(live) as snapshot_id:
                held = manifest.read_from(live)
                postgres.dump(live, snapshot_id, out)
        held = replace(held, sha256=manifest.sha256_of(out))
        return held, manifest.write(held, out)
    except BaseException:
        out.unlink(missing_ok=True)
        raise
