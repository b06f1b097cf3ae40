"""Study pseudonyms: every id in an export, keyed by the study's own secret.

A pseudonym is HMAC-SHA256(study.pseudonym_key, "<kind>:<pk>"), written as a prefix for the
kind and the start of the digest in base32 ("C-7KQ2M4XA" for a client). The same row has the
same pseudonym in every export of a study, so exports made months apart still join; another
study's key gives unrelated pseudonyms, so two studies' files cannot be linked by their ids.
Without the key nobody can go from a pseudonym back to a database id (nor from an id to its
pseudonym): the key never leaves the database.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from functools import lru_cache

# Prefixes that say what an id names, and how many base32 characters follow. People and
# clinics are few, so 8 characters (40 bits) leave collisions out of reach and stay readable;
# rows may be millions, so they get 12 (60 bits: about one chance in two million of a
# single collision among a million rows of a kind).
BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # RFC 4648's alphabet
KINDS: dict[str, tuple[str, int]] = {
    "clinic": ("K", 8),
    "client": ("C", 8),
    "staff": ("T", 8),
    "session": ("S", 12),
    "goal": ("G", 12),
    "plan": ("P", 12),
    "obstacle": ("O", 12),
    "prompt": ("PR", 12),
    "practice-log": ("L", 12),
    "check-in": ("CI", 12),
    "check-in-scale": ("SC", 8),
    "rating": ("RT", 12),
    "review": ("RV", 12),
    "response": ("MR", 12),
    "flag": ("FL", 12),
    "competence-rating": ("CR", 12),
}

# The kinds other rows refer to again and again (a log's client, plan and prompt), cached as
# rows go by: enough for the clients and staff of a large study and for what a chunk of rows
# refers to, while memory stays bounded however long the export. A row's own id is made once.
CACHED = {
    "clinic",
    "client",
    "staff",
    "session",
    "plan",
    "prompt",
    "practice-log",
    "check-in",
    "check-in-scale",
    "response",
    "competence-rating",
}
CACHE_SIZE = 2048


class Pseudonyms:
    """The pseudonyms of one study (its key), cached per kind."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()
        self._of: dict[str, Callable[[object], str]] = {
            kind: lru_cache(maxsize=CACHE_SIZE)(self._maker(kind))
            if kind in CACHED
            else self._maker(kind)
            for kind in KINDS
        }

    def _maker(self, kind: str) -> Callable[[object], str]:
        prefix, length = KINDS[kind]

        shifts = range(60 - 5, 60 - 5 * (length + 1), -5)  # 5 bits a character, from the top

        def make(pk: object) -> str:
            digest = hmac.digest(self._key, f"{kind}:{pk}".encode(), hashlib.sha256)
            # Base32 of the digest's first 60 bits, by hand: base64.b32encode is written in
            # Python and was a tenth of an export's time.
            bits = int.from_bytes(digest[:8], "big") >> 4
            return prefix + "-" + "".join([BASE32[(bits >> s) & 31] for s in shifts])

        return make

    def of(self, kind: str, pk: object) -> str:
        """The pseudonym of row `pk` of `kind`; `pk` may be composite, e.g. "17:distress"."""
        return self._of[kind](pk)

    def maybe(self, kind: str, pk: object | None) -> str | None:
        """The pseudonym, or None for no row (an empty reference)."""
        return None if pk is None else self._of[kind](pk)

    def digest(self, purpose: str, pk: object) -> bytes:
        """The study's keyed digest of something other than an id (a client's date shift)."""
        return hmac.digest(self._key, f"{purpose}:{pk}".encode(), hashlib.sha256)
