"""Downloads of a client's record for the staff who may read it: the engagement profile's rows
(practice.engagement_rows), with its codebook in docs/engagement.md. Each is recorded as an
export, beside the listing events of the doors it reads through."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from django.http import HttpResponse

from bridgework.accounts.http import AuthenticatedHttpRequest, signed_in
from bridgework.audit.reading import csv_cell
from bridgework.care.access import get_client_for_user, record_export
from bridgework.practice.engagement_rows import NAMES, Cell, rows


def written(cell: Cell) -> object:
    """A cell as the CSV holds it: empty for no value, true/false, moments in UTC."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, datetime):
        return cell.astimezone(UTC).isoformat()
    return csv_cell(cell)


@signed_in
def engagement_csv(request: AuthenticatedHttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id, staff_view=True)
    record_export(request, client, "engagement")
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(NAMES)
    for row in rows(request, client):
        writer.writerow([written(row[name]) for name in NAMES])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    # The client's number, not their name: a downloads folder should not say whose it is.
    response["Content-Disposition"] = (
        f'attachment; filename="bridgework-engagement-client-{client.pk}.csv"'
    )
    return response
