"""Backup files hold every client's health data: made readable by their owner only, and
never written over an existing file."""

from __future__ import annotations

import os
from pathlib import Path


class BackupFileError(Exception):
    pass


def new_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600, refusing one that exists."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        raise BackupFileError(
            f"{path} exists already. Expected the path of a new file (a backup never "
            "overwrites one)."
        ) from None
    except OSError as exc:
        raise BackupFileError(f"{path} cannot be created ({exc.strerror}).") from None
