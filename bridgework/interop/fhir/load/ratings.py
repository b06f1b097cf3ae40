"""0–100 check-in ratings from Observations coded in Bridgework's ratings CodeSystem, through
practice's actions: the scale found by its name and anchors (or added), one check-in per
moment. Each check-in's uid is made from the clinic and the Observation's id, so the same
Bundle imported again finds the check-in it made (practice.actions.once)."""

from __future__ import annotations

import re
import uuid
from collections import defaultdict

from django.utils.translation import gettext as _

from bridgework.interop.fhir import codes
from bridgework.interop.fhir.load.intake import Intake, Resource
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
    moments: dict[str, list[Resource]] = defaultdict(list)
    for resource in intake.of_type("Observation"):
        if is_rating(resource):
            moments[str(resource.get("effectiveDateTime"))].append(resource)
    for group in moments.values():
        take_check_in(intake, group)


def take_check_in(intake: Intake, group: list[Resource]) -> None:
    assert intake.client is not None
    answered_at = moment(group[0].get("effectiveDateTime"))
    values = {scale_for(intake, one).pk: one.get("valueInteger") for one in group}
    if answered_at is None:
        for one in group:
            intake.skip(one, _("A rating needs its moment (effectiveDateTime)."))
        return
    seed = f"{codes.clinic_system(intake.clinic.pk, 'check-in')}|{group[0].get('id')}"
    try:
        saved = practice.check_in(
            intake.client,
            by=intake.by,
            uid=uuid.uuid5(uuid.NAMESPACE_URL, seed),
            ratings=values,
            answered_at=answered_at,
        )
    except practice.EntryRefused as refused:
        for one in group:
            intake.skip(one, " ".join(str(p) for p in refused.problems.values()))
        return
    for one in group:
        intake.outcome(one, created=saved.created, changed=False)


def scale_for(intake: Intake, rating: Resource) -> CheckInScale:
    assert intake.client is not None
    name = str((rating.get("code") or {}).get("text") or _("rating"))[:60]
    ranges = rating.get("referenceRange") or [{}]
    found = ANCHORS.match(str(ranges[0].get("text") or ""))
    low, high = (found["low"][:60], found["high"][:60]) if found else ("", "")
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
