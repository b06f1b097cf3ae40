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
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from bridgework.research.export.arrow_build import same_width

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
CACHE_SIZE = 8192
# Of those, the kinds whose repeats sit next to each other in the large tables (a log's
# ratings, a check-in's two scales): Pseudonyms.column makes them once per batch, uncached.
ADJACENT = {"practice-log", "check-in", "response", "competence-rating"}


# Base32 two letters at a time: the pair for every 10 bits, so a 12-letter pseudonym is six
# look-ups (base64.b32encode is written in Python and was a tenth of an export's time).
PAIRS = tuple(first + second for first in BASE32 for second in BASE32)
# The same for a column at once (Pseudonyms.many): each letter's 5 bits, from the top of 60.
ALPHABET = np.frombuffer(BASE32.encode("ascii"), dtype=np.uint8)
SHIFTS = np.arange(55, -5, -5, dtype=np.uint64)


BLOCK = 64  # SHA-256's block size, in bytes


Hash = Callable[[], "hashlib._Hash"]


def pads(key: bytes) -> tuple[Hash, Hash]:
    """HMAC-SHA256's inner and outer hashes with the key's padded block hashed in (RFC 2104):
    copies of them give the same digests as hmac.digest, which hashes the key's blocks again
    for every id (more than half of the time of a pseudonym)."""
    if len(key) > BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    return inner.copy, outer.copy


def keyed(key: bytes) -> Callable[[bytes], bytes]:
    """HMAC-SHA256 under `key`, the same as hmac.digest(key, message, "sha256")."""
    inner, outer = pads(key)

    def mac(message: bytes) -> bytes:
        first = inner()
        first.update(message)
        second = outer()
        second.update(first.digest())
        return second.digest()

    return mac


class Pseudonyms:
    """The pseudonyms of one study (its key), cached per kind."""

    def __init__(self, key: str) -> None:
        self._key = key.encode()
        self._mac = keyed(self._key)
        self._inner, self._outer = pads(self._key)
        self._of: dict[str, Callable[[object], str]] = {
            kind: lru_cache(maxsize=CACHE_SIZE)(self._maker(kind))
            if kind in CACHED
            else self._maker(kind)
            for kind in KINDS
        }
        self._known: dict[str, dict[object, str]] = {kind: {} for kind in KINDS}

    def _maker(self, kind: str) -> Callable[[object], str]:
        prefix, length = KINDS[kind]
        head, mac, pairs = prefix + "-", self._mac, PAIRS
        message = f"{kind}:".encode()
        assert length in (8, 12), "the makers below write 8 or 12 letters"

        def top(pk: object) -> int:
            """The digest's first 60 bits: the letters are read from the top."""
            return int.from_bytes(mac(message + str(pk).encode())[:8], "big") >> 4

        def make8(pk: object) -> str:
            bits = top(pk)
            return (
                head
                + pairs[bits >> 50]
                + pairs[(bits >> 40) & 1023]
                + pairs[(bits >> 30) & 1023]
                + pairs[(bits >> 20) & 1023]
            )

        def make12(pk: object) -> str:
            bits = top(pk)
            return (
                head
                + pairs[bits >> 50]
                + pairs[(bits >> 40) & 1023]
                + pairs[(bits >> 30) & 1023]
                + pairs[(bits >> 20) & 1023]
                + pairs[(bits >> 10) & 1023]
                + pairs[bits & 1023]
            )

        return make8 if length == 8 else make12

    def of(self, kind: str, pk: object) -> str:
        """The pseudonym of row `pk` of `kind`; `pk` may be composite, e.g. "17:distress"."""
        return self._of[kind](pk)

    def maybe(self, kind: str, pk: object | None) -> str | None:
        """The pseudonym, or None for no row (an empty reference)."""
        return None if pk is None else self._of[kind](pk)

    def many(self, kind: str, pks: Sequence[object | None]) -> list[str | None]:
        """The pseudonyms of a column of ids (None stays None): a batch at a time. Each distinct
        id is made once (a log's two ratings, a check-in's two scales, a client's many rows),
        the ones not yet known all together; the kinds that repeat across batches stay known
        (up to CACHE_SIZE of a kind, then forgotten at once: memory bounded however long the
        export; a batch's own ids always fit)."""
        known = self._known[kind]
        wanted = [pk for pk in dict.fromkeys(pks) if pk is not None and pk not in known]
        if len(known) + len(wanted) > CACHE_SIZE:
            known.clear()
        known.update(zip(wanted, self._column(kind, wanted), strict=True))
        made = list(map(known.get, pks))  # None is never known: it stays None
        if kind not in CACHED:
            known.clear()  # a row's own ids (unique): made for this batch only
        return made

    def column(self, kind: str, pks: pa.Array) -> pa.Array:
        """The pseudonyms of an Arrow column of ids (null stays null), as an Arrow column: the
        same strings as many(). Each distinct id is made once; a row's own ids, and the ids
        whose repeats sit next to each other, go from numpy's letters into the array with no
        Python string per id."""
        encoded = pc.dictionary_encode(pks)
        distinct = encoded.dictionary.to_pylist()
        if kind in CACHED and kind not in ADJACENT:
            made = "".join(self.many(kind, distinct))  # type: ignore[arg-type]  # no None
            names = same_width(made.encode("ascii"), len(distinct))
        else:
            names = same_width(self._letters_with_prefix(kind, distinct), len(distinct))
        return names.take(encoded.indices)

    def _column(self, kind: str, pks: list[object]) -> list[str]:
        """The same strings as of(), the letters of a whole column picked out by numpy."""
        prefix, length = KINDS[kind]
        text = self._letters(kind, pks).tobytes().decode("ascii")
        head = prefix + "-"
        return [head + text[at : at + length] for at in range(0, len(text), length)]

    def _letters_with_prefix(self, kind: str, pks: list[object]) -> bytes:
        """The pseudonyms of `pks` laid end to end, as bytes: each the prefix and the letters."""
        prefix, _length = KINDS[kind]
        letters = self._letters(kind, pks)
        head = np.frombuffer(f"{prefix}-".encode("ascii"), dtype=np.uint8)
        return np.hstack([np.broadcast_to(head, (len(pks), len(head))), letters]).tobytes()

    def _letters(self, kind: str, pks: list[object]) -> np.ndarray[Any, np.dtype[np.uint8]]:
        """The base-32 letters of each id's pseudonym, a row of them per id."""
        _prefix, length = KINDS[kind]
        inner, outer, message = self._inner, self._outer, f"{kind}:".encode()
        tops = bytearray()
        for pk in pks:  # HMAC-SHA256 as in keyed(), written out: this loop is per row
            first = inner()
            first.update(message + str(pk).encode())
            second = outer()
            second.update(first.digest())
            tops += second.digest()[:8]
        bits = np.frombuffer(bytes(tops), dtype=">u8") >> 4  # the digests' first 60 bits
        codes = (bits[:, None] >> SHIFTS[:length]) & 31
        return np.ascontiguousarray(ALPHABET[codes], dtype=np.uint8).reshape(len(pks), length)

    def digest(self, purpose: str, pk: object) -> bytes:
        """The study's keyed digest of something other than an id (a client's date shift)."""
        return hmac.digest(self._key, f"{purpose}:{pk}".encode(), hashlib.sha256)
