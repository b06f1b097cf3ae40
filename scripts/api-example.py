#!/usr/bin/env python3
"""A script with tokens, as docs/api.md describes: a therapist's caseload; a practice log made
by the client (sent twice with one uid: stored once); the client's record exported as FHIR and
imported by another clinic's admin (twice: the second changes nothing).

    BRIDGEWORK_URL=http://127.0.0.1:8000 \
    BRIDGEWORK_THERAPIST_TOKEN=bw_pat_…   # a therapist's: areas clients and records, read
    BRIDGEWORK_CLIENT_TOKEN=bw_pat_…      # their client's: area practice, read and change
    BRIDGEWORK_ADMIN_TOKEN=bw_pat_…       # the receiving clinic's admin: records, read and change
    BRIDGEWORK_RECEIVING_THERAPIST=7      # the id of a therapist there, who takes the client on
    python3 scripts/api-example.py

Python's standard library only. It prints ids and counts, never a record's content: health
data does not belong in a terminal's scrollback. bridgework/interop/tests/test_api_example.py
runs it against a live server.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from typing import Any
from urllib.error import HTTPError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

FHIR_JSON = "application/fhir+json"


class Refused(Exception):
    """The API answered with a problem document (RFC 9457)."""

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        said = [problem.get("title", "")] + [
            f"{e.get('field') or '(body)'}: {e.get('message')}" for e in problem.get("errors", [])
        ]
        super().__init__(f"{status}: " + "; ".join(said))
        self.status, self.problem = status, problem


def call(
    base: str, token: str, method: str, path: str, body: Any = None, kind: str = "application/json"
) -> tuple[int, Any]:
    """One request: (status, the answer's JSON); Refused for a problem document."""
    data = None if body is None else json.dumps(body).encode("utf-8")
    # main() lets only http(s) through, so no file: URL is ever opened.
    request = Request(base.rstrip("/") + path, data=data, method=method)  # noqa: S310
    request.add_header("Authorization", f"Bearer {token}")
    request.add_header("Accept", f"{FHIR_JSON}, application/json")
    if data is not None:
        request.add_header("Content-Type", kind)
    try:
        with urlopen(request, timeout=60) as answer:  # noqa: S310
            return answer.status, json.loads(answer.read())
    except HTTPError as error:
        raise Refused(error.code, json.loads(error.read() or b"{}")) from None


def caseload(base: str, token: str) -> list[dict[str, Any]]:
    """Every client of the token's owner, page by page."""
    found: list[dict[str, Any]] = []
    query = {"limit": "200"}
    while True:
        _status, page = call(base, token, "GET", "/api/v1/clients?" + urlencode(query))
        found += page["items"]
        if page["next"] is None:
            return found
        query["cursor"] = page["next"]


def log_practice(base: str, token: str, uid: uuid.UUID) -> tuple[int, dict[str, Any]]:
    """A free diary entry of the token's client: 201 the first time, 200 for the same uid."""
    entry = {"uid": str(uid), "worksheet": "free-diary", "entries": {"entry": "Took the bus."}}
    status, log = call(base, token, "POST", "/api/v1/practice-logs", entry)
    return status, log


def export_record(base: str, token: str, client_id: int) -> dict[str, Any]:
    _status, bundle = call(base, token, "GET", f"/api/v1/fhir/Patient/{client_id}/$everything")
    return dict(bundle)


def import_record(
    base: str, token: str, bundle: dict[str, Any], therapist: int
) -> tuple[int, dict[str, Any]]:
    path = f"/api/v1/fhir/Bundle?therapist={therapist}"
    status, report = call(base, token, "POST", path, bundle, kind=FHIR_JSON)
    return status, report


def walk(base: str, tokens: dict[str, str], therapist: int) -> dict[str, Any]:
    """The whole walk; what it found, as ids and counts."""
    clients = caseload(base, tokens["therapist"])
    uid = uuid.uuid4()
    first, log = log_practice(base, tokens["client"], uid)
    again, _same = log_practice(base, tokens["client"], uid)
    if log["client_id"] not in {client["id"] for client in clients}:
        raise SystemExit("The client token's client is not in the therapist's caseload.")
    bundle = export_record(base, tokens["therapist"], log["client_id"])
    made, report = import_record(base, tokens["admin"], bundle, therapist)
    remade, second = import_record(base, tokens["admin"], bundle, therapist)
    return {
        "caseload": len(clients),
        "practice_log": {"id": log["id"], "statuses": [first, again]},
        "exported_resources": len(bundle.get("entry", [])),
        "imported_client": report["client_id"],
        "first_import": {"status": made, **counts(report)},
        "second_import": {"status": remade, **counts(second)},
    }


def counts(report: dict[str, Any]) -> dict[str, int]:
    keys = ("created", "changed", "unchanged", "derived", "not_imported")
    return {key: len(report[key]) for key in keys}


def main() -> int:
    names = {"therapist": "THERAPIST_TOKEN", "client": "CLIENT_TOKEN", "admin": "ADMIN_TOKEN"}
    tokens = {who: os.environ.get(f"BRIDGEWORK_{name}", "") for who, name in names.items()}
    receiving = os.environ.get("BRIDGEWORK_RECEIVING_THERAPIST", "")
    if not all(tokens.values()) or not receiving.isdigit():
        print(
            f"Set the tokens and the therapist's id: see the top of {sys.argv[0]}.", file=sys.stderr
        )
        return 2
    therapist = int(receiving)
    base = os.environ.get("BRIDGEWORK_URL", "http://127.0.0.1:8000")
    if not base.startswith(("http://", "https://")):
        print("BRIDGEWORK_URL must start with http:// or https://.", file=sys.stderr)
        return 2
    try:
        print(json.dumps(walk(base, tokens, therapist), indent=2))
    except Refused as refused:
        print(f"Refused: {refused}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
