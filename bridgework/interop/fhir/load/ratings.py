"""0–100 check-in ratings from Observations coded in Bridgework's ratings CodeSystem, through
practice's actions: the scale found by its name and anchors (or added), one check-in per
check-in per identifier (the sending check-in's uid). This clinic's own uid is used as it
is; another's becomes one of this clinic's, the same each time, so the same Bundle imported
again finds the check-in it made (practice.actions.once)."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict

from django.db import transaction
from django.utils.translation import gettext as _

from bridgework.interop.fhir import codes
from bridgework.interop.fhir.load import links
from bridgework.interop.fhir.load.intake import Intake, Resource
from bridgework.interop.fhir.load.limits import TooLong, fitting
from bridgework.interop.fhir.load.records import moment
from bridgework.practice import actions as practice
from bridgework.practice.models import CheckInScale, active_scales

ANCHORS = re.compile(r"^0 = (?P<low>.*), 100 = (?P<high>.*)$")


def is_rating(resource: Resource) -> bool:
    coding = (resource.get("code") or {}).get("coding") or []
    return resource.get("resourceType") == "Observation" and any(
        c.get("system") == codes.RATINGS for c in coding
    )


def take_ratings(intake: Intake) -> None:
    check_ins: dict[str, list[Resource]] = defaultdict(list)
    for resource in intake.of_type("Observation"):
        if is_rating(resource):
            check_ins[uid_of(intake, resource)].append(resource)
    for uid, group in check_ins.items():
        take_check_in(intake, uuid.UUID(uid), group)


def uid_of(intake: Intake, rating: Resource) -> str:
    """The check-in's uid: this clinic's own as it is; anyone else's (or none: the moment)
    made into one of this clinic's, the same each time the Bundle comes."""
    for system, value in links.identifiers(rating):
        if codes.own_kind(system, intake.clinic.pk) == codes.CHECK_IN:
            try:
                return str(uuid.UUID(value))
            except ValueError:
                continue
    named = links.identifiers(rating) or [("moment", str(rating.get("effectiveDateTime")))]
    seed = codes.clinic_system(intake.clinic.pk, codes.CHECK_IN) + "|" + "|".join(named[0])
    return str(uuid.uuid5(uuid.NAMESPACE_URL, seed))


def take_check_in(intake: Intake, uid: uuid.UUID, group: list[Resource]) -> None:
    assert intake.client is not None
    answered_at = moment(group[0].get("effectiveDateTime"))
    if answered_at is None:
        for one in group:
            intake.skip(one, _("A rating needs its moment (effectiveDateTime)."))
        return
    try:
        with transaction.atomic():  # a refused check-in adds no scale either
            values = {scale_for(intake, one).pk: one.get("valueInteger") for one in group}
            saved = practice.check_in(
                intake.client, by=intake.by, uid=uid, ratings=values, answered_at=answered_at
            )
    except practice.EntryRefused as refused:
        for one in group:
            intake.skip(one, " ".join(str(p) for p in refused.problems.values()))
        return
    except TooLong as long:
        for one in group:
            intake.skip(one, str(long))
        return
    for one in group:
        intake.outcome(one, created=saved.created, changed=False)


def scale_for(intake: Intake, rating: Resource) -> CheckInScale:
    assert intake.client is not None
    name = str((rating.get("code") or {}).get("text") or _("rating"))
    fitting(name, CheckInScale, "name", "Observation.code.text")
    ranges = rating.get("referenceRange") or [{}]
    found = ANCHORS.match(str(ranges[0].get("text") or ""))
    low, high = (found["low"], found["high"]) if found else ("", "")
    fitting(low, CheckInScale, "low_anchor", "Observation.referenceRange.text")
    fitting(high, CheckInScale, "high_anchor", "Observation.referenceRange.text")
    scales = active_scales(intake.client).filter(name=name)
    same = scales.filter(low_anchor=low, high_anchor=high).first() if found else scales.first()
    if same is not None:
        return same
    return practice.add_scale(
        intake.client,
        by=intake.by,
        name=name,
        low_anchor=low or "not at all",
        high_anchor=high or "extremely",
    )
