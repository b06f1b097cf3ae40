"""Arrow arrays for the large tables, made from numpy buffers rather than by pa.array().

pa.array() (like any Python value handed to pyarrow.compute, a scalar too) makes pyarrow import
pandas the first time it runs, to see whether the value is a pandas object: 0.3–0.5 s in a
fresh worker, as long as the rest of a 100,000-row export. Built from buffers, an export's
arrays need no pandas, and a process that exports never loads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pyarrow as pa

Numbers = np.ndarray[Any, np.dtype[np.int64]]


def validity(missing: np.ndarray[Any, np.dtype[np.bool_]]) -> pa.Buffer | None:
    """Arrow's bitmap of the values present (least significant bit first), or none if all are."""
    if not missing.any():
        return None
    return pa.py_buffer(np.packbits(~missing, bitorder="little"))


def integers(values: Numbers) -> pa.Array:
    """A numpy column of whole numbers (none missing) as an Arrow int64 array."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    return pa.Array.from_buffers(pa.int64(), len(values), [None, pa.py_buffer(values)])


def optional_integers(values: Sequence[int | None]) -> pa.Array:
    """Python whole numbers or None as an Arrow int64 array."""
    count = len(values)
    missing = np.fromiter((v is None for v in values), dtype=np.bool_, count=count)
    numbers = np.fromiter((0 if v is None else v for v in values), dtype=np.int64, count=count)
    return pa.Array.from_buffers(pa.int64(), count, [validity(missing), pa.py_buffer(numbers)])


def strings(values: Sequence[str | None]) -> pa.Array:
    """Python strings or None as an Arrow string array."""
    count = len(values)
    encoded = [b"" if v is None else v.encode("utf-8") for v in values]
    offsets = np.zeros(count + 1, dtype=np.int32)
    np.cumsum(np.fromiter(map(len, encoded), dtype=np.int64, count=count), out=offsets[1:])
    missing = np.fromiter((v is None for v in values), dtype=np.bool_, count=count)
    return pa.StringArray.from_buffers(
        count, pa.py_buffer(offsets), pa.py_buffer(b"".join(encoded)), validity(missing)
    )


def same_width(text: bytes, count: int) -> pa.Array:
    """`count` strings of the same width laid end to end in `text` (pseudonyms of one kind):
    the offsets are a range."""
    width = len(text) // count if count else 0
    offsets = np.arange(count + 1, dtype=np.int32) * width
    return pa.StringArray.from_buffers(count, pa.py_buffer(offsets), pa.py_buffer(text))


def repeated(text: str, count: int) -> pa.Array:
    """The same string `count` times (a column of one code, such as "check-in")."""
    return same_width(text.encode("utf-8") * count, count)
