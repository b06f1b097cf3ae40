"""The clinic admin's read-only view of the access trail: who read or changed what, and when.

Admins of the clinic only (everyone else gets 404) and the clinic's own events only: an event
belongs to the clinic of the person who acted. Opening the page is itself recorded (a `list` of
the audit trail), and so is each CSV download (an `export`). Audit rows hold ids, roles and
kinds of object, never health data (audit/models.py), so an admin, who already sees the roster,
may read them with names put to the ids.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta, tzinfo
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bridgework.accounts.http import AuthenticatedHttpRequest, is_clinic_admin, role_required
from bridgework.accounts.models import User
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.audit.reading import Page, TrailQuery, as_json, csv_cell, described, page
from bridgework.care.access import roster_for_admin
from bridgework.care.models import Client
from bridgework.lib.forms import ChoiceOfRows, Form, field_of
from bridgework.lib.numbers import identifier

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE_ERROR = _("Enter a date as YYYY-MM-DD, for example 2026-11-30.")
# The trail has nothing before Bridgework existed, and a day at either end of the calendar
# cannot be turned into a moment in every time zone (year 1 east of UTC, 9999-12-31's next day).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
DATE_RANGE = _("Enter a date from 2000-01-01 to 2099-12-31.")


def day_field(label: StrOrPromise) -> forms.DateField:
    return forms.DateField(
        required=False,
        label=label,
        widget=forms.DateInput(
            attrs={"type": "date", "min": FIRST_DAY.isoformat(), "max": LAST_DAY.isoformat()}
        ),
        error_messages={"invalid": DATE_ERROR},
        validators=[
            MinValueValidator(FIRST_DAY, message=DATE_RANGE),
            MaxValueValidator(LAST_DAY, message=DATE_RANGE),
        ],
    )


class ByName(ChoiceOfRows):
    """A choice of the clinic's people (clients or staff), shown by name."""

    def label_from_instance(self, obj: Any) -> str:
        return str(obj.full_name)


class TrailFilterForm(Form):
    client = ByName(
        queryset=Client.objects.none(),
        required=False,
        label=_("Client"),
        empty_label=_("Any client"),
        error_messages={"invalid_choice": _("Choose one of the clinic's clients from the list.")},
    )
    staff = ByName(
        queryset=User.objects.none(),
        required=False,
        label=_("Staff member"),
        empty_label=_("Anyone"),
        error_messages={"invalid_choice": _("Choose one of the clinic's staff from the list.")},
    )
    action = forms.ChoiceField(
        choices=[("", _("Any action")), *AccessEvent.Action.choices],
        required=False,
        label=_("Action"),
        error_messages={"invalid_choice": _("Choose an action from the list.")},
    )
    outcome = forms.ChoiceField(
        choices=[
            ("", _("Allowed or refused")),
            ("allowed", _("Allowed")),
            ("refused", _("Refused")),
        ],
        required=False,
        label=_("Outcome"),
        error_messages={"invalid_choice": _("Choose allowed, refused, or either.")},
    )
    since = day_field(_("From"))
    until = day_field(_("To (inclusive)"))

    def __init__(
        self, data: QueryDict, *, clients: QuerySet[Client], staff: QuerySet[User]
    ) -> None:
        super().__init__(data)
        self.clients = clients
        field_of(self, "client", ByName).queryset = clients.order_by("full_name", "pk")
        field_of(self, "staff", ByName).queryset = staff.order_by("full_name", "pk")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            raise forms.ValidationError(
                _("The start date is after the end date. Expected the earlier date first.")
            )
        return data

    def query(self, clinic_id: int) -> TrailQuery:
        """The valid form as a query; its dates are whole days in the clinic's time zone (the
        one active for staff, accounts.middleware.PreferencesMiddleware)."""
        data = self.cleaned_data
        client, person = data.get("client"), data.get("staff")
        outcome = data.get("outcome")
        return TrailQuery(
            clinic_id=clinic_id,
            client_id=client.pk if client else None,
            actor_id=person.pk if person else None,
            action=data.get("action") or "",
            allowed=None if not outcome else outcome == "allowed",
            since=start_of(data["since"]) if data.get("since") else None,
            until=start_of(data["until"] + timedelta(days=1)) if data.get("until") else None,
        )


def start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


# The door to the clinic's trail: its admins, else 404, the refusal recorded as a look at it.
trail_admin_required = role_required(
    is_clinic_admin, refused="audit-trail", action=AccessEvent.Action.LIST
)


def record_reading(admin: User, action: str, query: TrailQuery) -> None:
    """One event for opening (or downloading) the trail; filtered to one client, it joins that
    client's own chain, so a client's trail shows who looked at it."""
    trail.record(
        actor_id=admin.pk,
        actor_role="clinic_admin",
        action=action,
        object_type="audit-trail",
        object_id=query.client_id or "",
        clinic_id=admin.clinic_id,
        client_id=query.client_id,
        defer=True,
    )


def filter_form(request: AuthenticatedHttpRequest) -> TrailFilterForm:
    return TrailFilterForm(
        request.GET,
        clients=roster_for_admin(request),
        staff=User.objects.filter(clinic_id=request.user.clinic_id, kind=User.Kind.STAFF),
    )


def filters_of(request: HttpRequest) -> str:
    """The page's filters as a query string, without its place in the trail."""
    kept = request.GET.copy()
    for place in ("before", "after"):
        kept.pop(place, None)
    return kept.urlencode()


@trail_admin_required
def audit_trail(request: AuthenticatedHttpRequest) -> HttpResponse:
    admin = request.user
    form = filter_form(request)
    context: dict[str, Any] = {"form": form, "filters": filters_of(request)}
    if not form.is_valid():
        return render(request, "clinic/audit.html", context, status=400)
    query = form.query(admin.clinic_id)
    record_reading(admin, AccessEvent.Action.LIST, query)
    shown, lost_place = open_page(request, query)
    context.update(page=shown, lost_place=lost_place, rows=named(shown.events, admin, form))
    return render(request, "clinic/audit.html", context)


def open_page(request: HttpRequest, query: TrailQuery) -> tuple[Page, bool]:
    """The page the links ask for; the newest, and True, when their event is not in the query
    (a hand-edited link, or another clinic's event id)."""
    place = "before" if "before" in request.GET else "after" if "after" in request.GET else ""
    if not place:
        return page(query), False
    event_id = identifier(request.GET[place])
    edge = query.find(event_id) if event_id is not None else None
    if edge is None:
        return page(query), True
    return (page(query, before=edge) if place == "before" else page(query, after=edge)), False


def named(events: list[AccessEvent], admin: User, form: TrailFilterForm) -> list[dict[str, Any]]:
    """The page's events with the names of the people and clients they speak of."""
    people = names(
        User.objects.filter(clinic_id=admin.clinic_id), [event.actor_id for event in events]
    )
    clients = names(form.clients, [event.client_id for event in events])
    return [
        {
            "event": event,
            "who": people.get(event.actor_id, "") if event.actor_id else "",
            "client": clients.get(event.client_id, "") if event.client_id else "",
            "changes": described(event.changes),
        }
        for event in events
    ]


def names(rows: QuerySet[Any], ids: Iterable[int | None] | None = None) -> dict[int, str]:
    if ids is not None:
        rows = rows.filter(pk__in={pk for pk in ids if pk})
    return dict(rows.values_list("pk", "full_name"))


CSV_HEADER = [
    "when",
    "person id",
    "person",
    "role",
    "action",
    "object type",
    "object id",
    "client id",
    "client",
    "outcome",
    "request id",
    "via",
    "chain",
    "seq",
    "changes",
]


@trail_admin_required
def audit_export(request: AuthenticatedHttpRequest) -> HttpResponseBase:
    """The filtered events as CSV, newest first, streamed (the trail may be long)."""
    admin = request.user
    form = filter_form(request)
    if not form.is_valid():
        context = {"form": form, "filters": filters_of(request)}
        return render(request, "clinic/audit.html", context, status=400)
    query = form.query(admin.clinic_id)
    record_reading(admin, AccessEvent.Action.EXPORT, query)
    people = names(User.objects.filter(clinic_id=admin.clinic_id))
    clients = names(form.clients)
    rows = csv_rows(query, people, clients, timezone.get_current_timezone())
    response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="bridgework-access-trail.csv"'
    return response


class Line:
    """csv.writer writes into this and gets the line back, so each row streams as it is made."""

    def write(self, line: str) -> str:
        return line


def csv_rows(
    query: TrailQuery, people: dict[int, str], clients: dict[int, str], zone: tzinfo
) -> Iterator[str]:
    writer = csv.writer(Line())
    yield writer.writerow(CSV_HEADER)
    for event in query.newest_first().iterator(chunk_size=2000):
        cells = [
            event.at.astimezone(zone).isoformat(timespec="seconds"),
            event.actor_id or "",
            people.get(event.actor_id, "") if event.actor_id else "",
            event.actor_role,
            event.action,
            event.object_type,
            event.object_id,
            event.client_id or "",
            clients.get(event.client_id, "") if event.client_id else "",
            "allowed" if event.allowed else "refused",
            event.request_id,
            event.via,  # "token:<id>" for the REST API with that access token
            event.chain,
            event.seq,
            as_json(event.changes),
        ]
        yield writer.writerow([csv_cell(cell) for cell in cells])
