"""The digests behind the large tables' own pseudonyms, made by PostgreSQL in the COPY that
reads their rows (research.export.arrow_read): HMAC-SHA256 as RFC 2104 writes it, with
PostgreSQL's sha256() over the study key's padded block (the key XORed with 0x36 and 0x5c,
read from the study's own row, so the key is in no query, parameter or log). The database
hands over each digest's first 8 bytes as a bigint and Python picks the letters
(Pseudonyms.from_digests), as it does for the digests it makes itself: a log's and a rating's
own ids are most of an export's ids, and hashing them beside the reading (on the database's
own processor) took the largest share of the export's time off Python. A test compares the
two ways.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Func
from django.db.models.sql.compiler import SQLCompiler

from bridgework.research.export.columnar import as_given
from bridgework.research.export.pseudonyms import KINDS
from bridgework.research.models import Study

# The key's block padded to SHA-256's 64 bytes (hashed first if longer, as RFC 2104 says),
# XORed byte by byte with `pad` (0x36 inside, 0x5c outside): a bytea, once per query.
PAD = """(
    SELECT decode(string_agg(lpad(to_hex(get_byte(block, at) # {pad}), 2, '0'), '' ORDER BY at),
                  'hex')
    FROM (
        SELECT key || decode(repeat('00', 64 - octet_length(key)), 'hex') AS block
        FROM (
            SELECT CASE WHEN octet_length(given) > 64 THEN sha256(given) ELSE given END AS key
            FROM (SELECT convert_to(pseudonym_key, 'UTF8') AS given FROM {study} WHERE id = %s)
                AS study
        ) AS keyed
    ) AS padded, generate_series(0, 63) AS at
)"""


def digest_sql(kind: str, id_sql: str) -> str:
    """SQL for the first 8 bytes of HMAC-SHA256(key, "<kind>:<id>") as a bigint; it takes the
    study's id twice, then the parameters of `id_sql`."""
    assert kind in KINDS, kind  # a fixed word in the SQL, never a value from outside
    study = Study._meta.db_table
    outer, inner = PAD.format(pad=0x5C, study=study), PAD.format(pad=0x36, study=study)
    message = f"convert_to('{kind}:' || ({id_sql})::text, 'UTF8')"
    hashed = f"sha256({outer} || sha256({inner} || {message}))"
    return f"('x' || encode(substr({hashed}, 1, 8), 'hex'))::bit(64)::bigint"


class Digest(Func):
    """The digest of the id an expression gives (PostgreSQL only; digest_sql)."""

    output_field = models.BigIntegerField()

    def __init__(self, kind: str, expression: Any, study: int) -> None:
        super().__init__(expression)
        self.kind, self.study = kind, study

    @property
    def convert_value(self) -> Any:
        return as_given  # an integer from the database already

    def as_postgresql(
        self, compiler: SQLCompiler, connection: BaseDatabaseWrapper, **extra: Any
    ) -> tuple[str, Any]:
        inner, params = compiler.compile(self.get_source_expressions()[0])
        return digest_sql(self.kind, inner), (self.study, self.study, *params)
