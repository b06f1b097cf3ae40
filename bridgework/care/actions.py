"""Every change to clients, care teams, goals, therapy sessions and consents: audited."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bridgework.accounts.models import Clinic, User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import NOTHING, changed, noted, snapshot
from bridgework.care.models import CareTeamMembership, Client, Consent, Goal, TherapySession
from bridgework.care.signals import consent_withdrawn

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE


@transaction.atomic
def add_client(
    *,
    clinic: Clinic,
    full_name: str,
    care_team: list[User],
    by: User | None,
    time_zone: str = "",
    is_training: bool = False,
) -> Client:
    """A new client with their care team. `is_training`: a made-up client for a role-play
    (supervision's training scenarios), never a person, kept off the real clients' lists."""
    client = Client.objects.create(
        clinic=clinic, full_name=full_name, time_zone=time_zone, is_training=is_training
    )
    for member in care_team:
        CareTeamMembership.objects.create(client=client, member=member)
    changed(by, CREATE, client, detail={"care_team": sorted(member.pk for member in care_team)})
    return client


@transaction.atomic
def set_care_team(client: Client, members: list[User], *, by: User) -> None:
    if any(
        member.clinic_id != client.clinic_id or not member.is_staff_member for member in members
    ):
        raise ValueError("A care team holds staff of the client's own clinic only.")
    was = set(client.memberships.values_list("member_id", flat=True))
    CareTeamMembership.objects.filter(client=client).exclude(member__in=members).delete()
    for member in members:
        CareTeamMembership.objects.get_or_create(client=client, member=member)
    now = {member.pk for member in members}
    noted(
        by,
        CHANGE,
        "care-team",
        client.pk,
        clinic_id=client.clinic_id,
        client_id=client.pk,
        detail={"added": sorted(now - was), "removed": sorted(was - now)},
    )


@transaction.atomic
def add_goal(client: Client, *, text: str, by: User) -> Goal:
    goal = Goal.objects.create(client=client, text=text.strip(), created_by=by)
    changed(by, CREATE, goal)
    return goal


@transaction.atomic
def mark_goal_achieved(goal: Goal, achieved: bool, *, by: User) -> Goal:
    was = snapshot(goal)
    goal.achieved_at = timezone.now() if achieved else None
    goal.save(update_fields=["achieved_at"])
    changed(by, CHANGE, goal, before=was)
    return goal


@transaction.atomic
def add_session(
    client: Client, *, therapist: User, starts_at: datetime, by: User, takeaway: str = ""
) -> TherapySession:
    # Lock the client row so two sessions added at once never get the same number.
    Client.objects.select_for_update().filter(pk=client.pk).first()
    last = client.sessions.aggregate(last=Max("number"))["last"] or 0
    session = TherapySession.objects.create(
        client=client,
        therapist=therapist,
        number=last + 1,
        starts_at=starts_at,
        takeaway=takeaway.strip(),
    )
    changed(by, CREATE, session)
    return session


@transaction.atomic
def update_session(
    session: TherapySession, *, starts_at: datetime, takeaway: str, by: User
) -> TherapySession:
    was = snapshot(session)
    session.starts_at, session.takeaway = starts_at, takeaway.strip()
    session.save(update_fields=["starts_at", "takeaway"])
    changed(by, CHANGE, session, before=was)
    return session


class EndOfTherapyRefused(ValueError):
    """An end of therapy that cannot be: its message says why, for the person who set it."""


def local_today(client: Client) -> date:
    return timezone.localtime(timezone.now(), ZoneInfo(client.local_time_zone)).date()


@transaction.atomic
def finish_therapy(client: Client, *, on: date, by: User) -> Client:
    """Mark the client as having finished therapy on `on` (a day in the client's time zone):
    they leave the caseload and the flags, and the clinic's retention period starts then.
    A day to come or before the client was added is refused (nothing would be true of it)."""
    if on > local_today(client):
        raise EndOfTherapyRefused(
            _("The end of therapy cannot lie in the future: enter today or an earlier day.")
        )
    began = timezone.localtime(client.created_at, ZoneInfo(client.local_time_zone)).date()
    if on < began:
        raise EndOfTherapyRefused(
            _("The end of therapy cannot come before the client was added (%(day)s).")
            % {"day": began.isoformat()}
        )
    was = snapshot(client)
    client.discharged_at = datetime.combine(on, time.min, ZoneInfo(client.local_time_zone))
    client.save(update_fields=["discharged_at"])
    changed(by, CHANGE, client, before=was)
    return client


@transaction.atomic
def resume_therapy(client: Client, *, by: User) -> Client:
    """Undo `finish_therapy` (set by mistake, or the client came back): in care again."""
    if client.discharged_at is None:
        return client
    was = snapshot(client)
    client.discharged_at = None
    client.save(update_fields=["discharged_at"])
    changed(by, CHANGE, client, before=was)
    return client


@transaction.atomic
def set_consent(client: Client, purpose: str, given: bool, *, by: User) -> None:
    """Give or withdraw consent for one purpose. Repeating the current state changes nothing."""
    current = client.consents.select_for_update().filter(purpose=purpose, withdrawn_at=None).first()
    if given and current is None:
        consent, was = Consent.objects.create(client=client, purpose=purpose, given_by=by), NOTHING
    elif not given and current is not None:
        consent, was = current, snapshot(current)
        current.withdrawn_at, current.withdrawn_by = timezone.now(), by
        current.save(update_fields=["withdrawn_at", "withdrawn_by"])
        # What was set up under it ends too (prompts stops the calendar feed, forgets phones).
        consent_withdrawn.send(sender=Consent, client=client, purpose=purpose, by=by)
    else:
        return
    changed(by, CHANGE, consent, before=was, object_id=f"{client.pk}:{purpose}")


def consents_given(client: Client) -> set[str]:
    return set(client.consents.filter(withdrawn_at=None).values_list("purpose", flat=True))
