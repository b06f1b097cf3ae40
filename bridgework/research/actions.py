"""Every change to a study, its researchers' access and its exports' requests: one function
each, audited, refusing what the rules do not allow with a message that says why.

The worker's side of an export (claiming it, making it, letting it expire) is in jobs.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import DEFAULT_DB_ALIAS, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bridgework.accounts.models import Clinic, User
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.research import access
from bridgework.research.export.package import consented_clients
from bridgework.research.export.tables import TABLES
from bridgework.research.models import Export, Study, StudyAccess

CREATE, CHANGE = AccessEvent.Action.CREATE, AccessEvent.Action.CHANGE
UNFINISHED = (Export.State.WAITING, Export.State.RUNNING)


class StudyRefused(Exception):
    """The change cannot be made; the message says why and what to do instead."""


def scope(study: Study) -> tuple[int, None]:
    # A study's events join its clinic's chain: none of them is about one client.
    return study.clinic_id, None


def check_facts(
    *, by: User, starts_on: date, ends_on: date, tables: list[str], clinics: Iterable[Clinic]
) -> None:
    if ends_on < starts_on:
        raise StudyRefused(_("The study's data period ends before it starts: swap the dates."))
    unknown = [name for name in tables if name not in TABLES]
    if unknown:
        raise StudyRefused(_("There is no table called %(names)s.") % {"names": ", ".join(unknown)})
    if not tables:
        raise StudyRefused(_("Choose at least one table for the study to take."))
    if any(clinic.pk != by.clinic_id for clinic in clinics):
        raise StudyRefused(_("A study can take data only from the clinic you administer."))


def ordered(tables: Iterable[str]) -> list[str]:
    """The chosen tables in the codebook's order, each once."""
    chosen = set(tables)
    return [name for name in TABLES if name in chosen]


@transaction.atomic
def create_study(
    *,
    by: User,
    name: str,
    purpose: str,
    starts_on: date,
    ends_on: date,
    tables: list[str],
    include_free_text: bool = False,
    shift_dates: bool = True,
    clinics: Iterable[Clinic] | None = None,
) -> Study:
    """A new study of the admin's clinic, taking the data of `clinics` (the admin's own)."""
    if not by.is_clinic_admin:
        raise StudyRefused(_("Only a clinic admin sets up studies."))
    clinics = list(clinics) if clinics is not None else [by.clinic]
    check_facts(by=by, starts_on=starts_on, ends_on=ends_on, tables=tables, clinics=clinics)
    study = Study.objects.create(
        clinic_id=by.clinic_id,
        name=name,
        purpose=purpose,
        starts_on=starts_on,
        ends_on=ends_on,
        tables=ordered(tables),
        include_free_text=include_free_text,
        shift_dates=shift_dates,
        created_by=by,
    )
    study.clinics.set(clinics or [by.clinic])
    ids = sorted(clinic.pk for clinic in clinics)
    trail.changed(by, CREATE, study, detail={"clinics": ids})
    return study


@transaction.atomic
def change_study(
    study: Study,
    *,
    by: User,
    name: str,
    purpose: str,
    starts_on: date,
    ends_on: date,
    tables: list[str],
    include_free_text: bool,
    shift_dates: bool,
    clinics: Iterable[Clinic],
) -> Study:
    """Change what the study is and takes. Exports made before keep what they were made
    with; the next one takes the study as it is now."""
    clinics = list(clinics)
    check_facts(by=by, starts_on=starts_on, ends_on=ends_on, tables=tables, clinics=clinics)
    was = trail.snapshot(study)
    study.name, study.purpose = name, purpose
    study.starts_on, study.ends_on, study.tables = starts_on, ends_on, ordered(tables)
    study.include_free_text, study.shift_dates = include_free_text, shift_dates
    study.save()
    before = sorted(study.clinics.values_list("pk", flat=True))
    study.clinics.set(clinics)
    after = sorted(clinic.pk for clinic in clinics)
    detail = {"clinics": [before, after]} if before != after else {}
    trail.changed(by, CHANGE, study, before=was, detail=detail)
    return study


@transaction.atomic
def grant_access(study: Study, researcher: User, *, by: User) -> StudyAccess:
    """Let a researcher of the study's clinics read and export the study."""
    if not access.researchers_of(study).filter(pk=researcher.pk).exists():
        raise StudyRefused(
            _("Only active researchers of the study's clinic can be given access to it.")
        )
    if access.has_access(researcher, study):
        raise StudyRefused(
            _("%(name)s already has access to this study.") % {"name": researcher.full_name}
        )
    granted = StudyAccess.objects.create(study=study, researcher=researcher, granted_by=by)
    trail.changed(by, CREATE, granted, scope=scope(study))
    return granted


@transaction.atomic
def revoke_access(study: Study, researcher: User, *, by: User) -> StudyAccess:
    """End a researcher's access: from the next request on, the study is a 404 to them.
    Exports they made stay listed for the others who hold access."""
    current = (
        StudyAccess.objects.select_for_update()
        .filter(study=study, researcher=researcher, revoked_at=None)
        .first()
    )
    if current is None:
        raise StudyRefused(
            _("%(name)s has no access to this study to revoke.") % {"name": researcher.full_name}
        )
    was = trail.snapshot(current)
    current.revoked_at, current.revoked_by = timezone.now(), by
    current.save(update_fields=["revoked_at", "revoked_by"])
    trail.changed(by, CHANGE, current, before=was, scope=scope(study))
    return current


@transaction.atomic
def request_export(study: Study, fmt: str, *, by: User) -> Export:
    """Ask the worker for an export of the study as it is now, in `fmt` (csv or parquet).
    Refused for a format Bridgework does not write, a study whose data period has not begun,
    a study without one consented client, and while another export of it is being made."""
    if fmt not in Export.Format.values:
        raise StudyRefused(_("Choose CSV or Parquet as the export's format."))
    # One request at a time per study: two quick clicks make one export, not two.
    Study.objects.select_for_update().filter(pk=study.pk).first()
    if study.starts_on > timezone.localdate():
        raise StudyRefused(
            _("This study's data period starts on %(date)s: there is nothing to export yet.")
            % {"date": date_format(study.starts_on)}
        )
    # On the primary: a replica a moment behind may still hold a consent just withdrawn.
    if not consented_clients(study, using=DEFAULT_DB_ALIAS).exists():
        raise StudyRefused(
            _(
                "No client of this study has an open research consent, so there is nothing to "
                "export. Clients give it on their Settings page."
            )
        )
    if study.exports.filter(state__in=UNFINISHED).exists():
        raise StudyRefused(
            _("An export of this study is being made: wait until it is ready, then ask again.")
        )
    export = Export.objects.create(study=study, requested_by=by, format=fmt, tables=study.tables)
    trail.changed(by, CREATE, export, scope=scope(study))
    return export
