"""Every change to retention policies, legal holds and erasure requests: audited."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bridgework.accounts.models import Clinic, User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import changed, snapshot
from bridgework.care.models import Client
from bridgework.records.models import (
    DEFAULT_RETENTION_YEARS,
    ErasureRequest,
    LegalHold,
    RetentionPolicy,
)

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE


class Refused(ValueError):
    """A change the rules do not allow; each message names what stands in the way."""

    def __init__(self, *messages: str) -> None:
        super().__init__(" ".join(messages))
        self.messages = list(messages)


def retention_years(clinic: Clinic) -> int:
    policy = RetentionPolicy.objects.filter(clinic=clinic).first()
    return policy.years_after_therapy if policy else DEFAULT_RETENTION_YEARS


@transaction.atomic
def set_retention(clinic: Clinic, years: int, *, by: User) -> RetentionPolicy:
    if not 1 <= years <= 100:
        raise Refused(_("Keep records between 1 and 100 years after the end of therapy."))
    policy, _created = RetentionPolicy.objects.select_for_update().get_or_create(clinic=clinic)
    was = snapshot(policy)
    policy.years_after_therapy, policy.set_by, policy.set_at = years, by, timezone.now()
    policy.save()
    changed(by, CHANGE, policy, before=was)
    return policy


def today_for(client: Client) -> date:
    return timezone.localtime(timezone.now(), ZoneInfo(client.local_time_zone)).date()


@transaction.atomic
def place_hold(client: Client, *, reason: str, ends_on: date | None, by: User) -> LegalHold:
    """Keep the client's records until `ends_on`, for `reason`: both are required, and the
    end must lie ahead (a hold that already ended would keep nothing)."""
    problems = []
    if not reason.strip():
        problems.append(_("Reason: say why the law requires the records kept."))
    if ends_on is None:
        problems.append(_("Kept until: enter the day the hold ends, like 2031-06-30."))
    elif ends_on < today_for(client):
        problems.append(_("Kept until: the day the hold ends must be today or later."))
    if problems:
        raise Refused(*problems)
    assert ends_on is not None
    hold = LegalHold.objects.create(
        client=client, reason=reason.strip(), ends_on=ends_on, set_by=by
    )
    changed(by, CREATE, hold)
    return hold


@transaction.atomic
def release_hold(hold: LegalHold, *, by: User) -> LegalHold:
    if hold.released_at is None:
        was = snapshot(hold)
        hold.released_at, hold.released_by = timezone.now(), by
        hold.save(update_fields=["released_at", "released_by"])
        changed(by, CHANGE, hold, before=was)
    return hold


def holds_in_force(client: Client, on: date | None = None) -> list[LegalHold]:
    day = on or today_for(client)
    return list(LegalHold.objects.filter(client=client, released_at=None, ends_on__gte=day))


def retention_ends(client: Client) -> date | None:
    """The first day the client's records may be erased under the clinic's policy: N years
    after the end of therapy. None while the client is still in therapy."""
    if client.discharged_at is None:
        return None
    ended = timezone.localtime(client.discharged_at, ZoneInfo(client.local_time_zone)).date()
    years = retention_years(client.clinic)
    try:
        return ended.replace(year=ended.year + years)
    except ValueError:  # 29 February, and the year it ends is no leap year
        return ended.replace(year=ended.year + years, day=28)


def what_keeps(client: Client, on: date | None = None) -> list[str]:
    """Why the client's records may not be erased today, each reason in words: every hold in
    force (its reason and end), the retention period (its end), or that therapy goes on."""
    day = on or today_for(client)
    reasons = [
        _("Legal hold until %(day)s: %(reason)s")
        % {"day": date_format(hold.ends_on), "reason": hold.reason}
        for hold in holds_in_force(client, day)
    ]
    ends = retention_ends(client)
    if client.discharged_at is None:
        reasons.append(
            _(
                "The client is still in therapy: records are kept while it lasts and for the "
                "clinic's retention period after it ends."
            )
        )
    elif ends is not None and day < ends:
        reasons.append(
            _("The clinic keeps records %(years)d years after the end of therapy: until %(day)s.")
            % {"years": retention_years(client.clinic), "day": date_format(ends)}
        )
    return reasons


def check_erasable(client: Client, on: date | None = None) -> None:
    """Refuse, naming each hold and the retention's end, unless nothing keeps the records."""
    reasons = what_keeps(client, on)
    if reasons:
        raise Refused(*reasons)


@transaction.atomic
def record_erasure_request(client: Client, *, received_from: str, by: User) -> ErasureRequest:
    """Note a request to erase the client; the erasure itself waits for what keeps the
    records (`what_keeps`), and, for a client who asked, for them to take their copy."""
    if received_from not in ErasureRequest.From.values:
        raise Refused(_("Say who asked for the erasure: the client, or the clinic for them."))
    request = ErasureRequest.objects.create(
        clinic_id=client.clinic_id, client=client, received_from=received_from, requested_by=by
    )
    changed(by, CREATE, request)
    return request
