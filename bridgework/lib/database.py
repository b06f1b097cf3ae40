"""Checks of the connection options a PostgreSQL DATABASE_URL carries in its query string.

dj-database-url hands every query parameter to OPTIONS as it is, and Django hands OPTIONS to
psycopg. A typo (`sslmod=verify-full`) or a wrong value (`sslmode=verify_full`) would only
fail at the first connection — or, worse, a mode that libpq accepts but that checks less than
meant would pass silently. So start-up checks them here and stops with a message that names
the variable and what it expects.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from typing import Any

from django.core.exceptions import ImproperlyConfigured

# libpq's modes, weakest first. Only verify-full checks that the server is the host named.
SSL_MODES = ("disable", "allow", "prefer", "require", "verify-ca", "verify-full")
# Options whose value is a file libpq must read; "system" (libpq 16+) means the system's CAs.
SSL_FILES = ("sslrootcert", "sslcert", "sslkey", "sslcrl")
# Options Django's PostgreSQL backend takes for itself before it calls psycopg.
DJANGO_OPTIONS = frozenset(
    {"isolation_level", "assume_role", "server_side_binding", "pool", "cursor_factory"}
)


@cache
def libpq_options() -> frozenset[str]:
    """Every connection option the installed libpq knows, as libpq itself lists them."""
    from psycopg import pq

    return frozenset(option.keyword.decode() for option in pq.Conninfo.get_defaults())


def check_postgres_options(options: Mapping[str, Any], variable: str) -> None:
    """Refuse options libpq does not know, an sslmode it does not have, and certificate
    files that cannot be read — at start-up, naming the variable."""
    unknown = sorted(set(options) - libpq_options() - DJANGO_OPTIONS)
    if unknown:
        raise ImproperlyConfigured(
            f"{variable} has the option(s) {', '.join(unknown)}, which PostgreSQL's client "
            "does not know. Expected libpq connection options, e.g. "
            "?sslmode=verify-full&sslrootcert=/path/to/ca.pem."
        )
    mode = options.get("sslmode")
    if mode is not None and mode not in SSL_MODES:
        raise ImproperlyConfigured(
            f"{variable} has sslmode={mode!r}. Expected one of: {', '.join(SSL_MODES)} "
            "(verify-full, with sslrootcert, in production)."
        )
    for name in SSL_FILES:
        path = options.get(name)
        if path is None or (name == "sslrootcert" and path == "system"):
            continue
        if not isinstance(path, str) or not os.access(path, os.R_OK):
            raise ImproperlyConfigured(
                f"{variable} has {name}={path!r}, which cannot be read. Expected the path of "
                "a readable PEM file."
            )
