"""The doors of research: who may set up a study, who may read and export it.

- A clinic admin sets up the studies of their own clinic and grants its researchers access
  (`get_study_for_admin`, `studies_for_admin`).
- A researcher reads a study, asks for its exports and downloads them only while they hold
  an open `StudyAccess` to it (`get_study_for_researcher`, `get_export_for_user`). Revoking
  the access closes the door at once, on the next request.
- Everyone else (other researchers, therapists, supervisors, clients, other clinics, and an
  admin at the researcher's pages) gets 404, with the refusal recorded.

No door here opens one client's record: a study's pages show counts, the codebook and the
exports. The exports' files hold pseudonymised rows; their download is recorded as an export.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from bridgework.accounts.http import AuthenticatedHttpRequest
from bridgework.accounts.models import User
from bridgework.audit import trail
from bridgework.audit.models import AccessEvent
from bridgework.research.models import Export, Study, StudyAccess


def admin_role(user: User, study: Study) -> str | None:
    """ "admin" for an admin of the study's clinic, else None."""
    if user.is_active and user.is_clinic_admin and user.clinic_id == study.clinic_id:
        return "admin"
    return None


def has_access(user: User, study: Study) -> bool:
    return StudyAccess.objects.filter(study=study, researcher=user, revoked_at=None).exists()


def researcher_role(user: User, study: Study) -> str | None:
    """ "researcher" for a researcher of the study's clinic holding an open access to it,
    else None. The clinic is checked too: an access granted by mistake to another clinic's
    researcher opens nothing (nothing crosses clinics)."""
    if not (user.is_active and user.is_researcher and user.clinic_id == study.clinic_id):
        return None
    return "researcher" if has_access(user, study) else None


def record(
    request: AuthenticatedHttpRequest,
    object_type: str,
    object_id: object = "",
    *,
    action: str,
    role: str | None,
    clinic_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """The access event of every research door: allowed under `role` in the study's clinic's
    chain, or (no role) a refusal under the person's kind in their own clinic's chain."""
    user = request.user
    trail.record(
        actor_id=user.pk,
        actor_role=role or user.kind,
        action=action,
        object_type=object_type,
        object_id=object_id,
        clinic_id=clinic_id if role is not None and clinic_id else user.clinic_id,
        allowed=role is not None,
        defer=True,
        changes={"detail": trail.plain(detail)} if detail else None,
    )


def action_of(write: bool) -> str:
    return AccessEvent.Action.CHANGE if write else AccessEvent.Action.VIEW


def find_study(study_id: int) -> Study | None:
    return Study.objects.select_related("clinic").filter(pk=study_id).first()


def get_study_for_admin(
    request: AuthenticatedHttpRequest, study_id: int, *, write: bool = False
) -> Study:
    """A study, to an admin of its clinic (to edit it, `write`, or grant access); 404 and a
    refusal recorded for anyone else."""
    study = find_study(study_id)
    role = admin_role(request.user, study) if study is not None else None
    clinic_id = study.clinic_id if study is not None else None
    record(request, "study", study_id, action=action_of(write), role=role, clinic_id=clinic_id)
    if study is None or role is None:
        raise Http404
    return study


def get_study_for_researcher(
    request: AuthenticatedHttpRequest, study_id: int, *, write: bool = False
) -> Study:
    """A study, to a researcher with an open access to it (`write`: to ask for an export);
    404 and a refusal recorded for anyone else, a revoked researcher too."""
    study = find_study(study_id)
    role = researcher_role(request.user, study) if study is not None else None
    clinic_id = study.clinic_id if study is not None else None
    record(request, "study", study_id, action=action_of(write), role=role, clinic_id=clinic_id)
    if study is None or role is None:
        raise Http404
    return study


def record_analyses(
    request: AuthenticatedHttpRequest, study: Study, *, clients: int, observations: int
) -> None:
    """The analyses page showed a model fitted on the study's rows (or their counts): one
    "study-analyses" view event each time, naming how many clients and sessions it used. The
    page is reached through `get_study_for_researcher` only, so the role is the researcher's."""
    record(
        request,
        "study-analyses",
        study.pk,
        action=AccessEvent.Action.VIEW,
        role="researcher",
        clinic_id=study.clinic_id,
        detail={"clients": clients, "observations": observations},
    )


def get_export_for_user(
    request: AuthenticatedHttpRequest,
    export_id: int,
    *,
    download: bool = False,
    progress_only: bool = False,
) -> Export:
    """One export, with its study, to a researcher of that study; 404 and a refusal recorded
    for anyone else. A `download` of a ready export is recorded as an export: the file leaves
    Bridgework then. `progress_only` (the study page polling how far an export is, every few
    seconds) records refusals only: its answer holds counts, no client's data, and a poll's
    view event each time would fill the trail with noise."""
    export = Export.objects.select_related("study").filter(pk=export_id).first()
    study = export.study if export is not None else None
    role = researcher_role(request.user, study) if study is not None else None
    if progress_only and export is not None and role is not None:
        return export
    leaving = download and export is not None and export.state == Export.State.READY
    record(
        request,
        "study-export",
        export_id,
        action=AccessEvent.Action.EXPORT if leaving else AccessEvent.Action.VIEW,
        role=role,
        clinic_id=study.clinic_id if study is not None else None,
        detail={"study": study.pk, "format": export.format}
        if leaving and study and export
        else None,
    )
    if export is None or role is None:
        raise Http404
    return export


def studies_for_user(request: AuthenticatedHttpRequest) -> QuerySet[Study]:
    """The studies of the signed-in researcher's clinic they hold an open access to; one
    listing recorded (a refusal, with none, for anyone who is not a researcher)."""
    user = request.user
    allowed = user.is_active and user.is_researcher
    role = "researcher" if allowed else None
    record(request, "studies", action=AccessEvent.Action.LIST, role=role)
    if not allowed:
        return Study.objects.none()
    return Study.objects.filter(
        clinic_id=user.clinic_id, accesses__researcher=user, accesses__revoked_at=None
    ).select_related("clinic")


def studies_for_admin(request: AuthenticatedHttpRequest) -> QuerySet[Study]:
    """The studies of the signed-in admin's clinic; one listing recorded (a refusal, with
    none, for anyone who is not a clinic admin)."""
    user = request.user
    allowed = user.is_active and user.is_clinic_admin
    record(request, "studies", action=AccessEvent.Action.LIST, role="admin" if allowed else None)
    if not allowed:
        return Study.objects.none()
    return Study.objects.filter(clinic_id=user.clinic_id)


def researchers_of(study: Study) -> QuerySet[User]:
    """The researchers an admin may grant access to: active researchers of the study's
    clinics."""
    clinics = Q(clinic_id=study.clinic_id) | Q(clinic__in=study.clinics.all())
    return User.objects.filter(clinics, is_researcher=True, is_active=True).order_by(
        "full_name", "pk"
    )


def open_accesses(study: Study) -> QuerySet[StudyAccess]:
    return study.accesses.filter(revoked_at=None).select_related("researcher", "granted_by")


def access_candidates(study: Study) -> QuerySet[User]:
    """Whom the access page offers: the researchers one may grant access to, and whoever
    holds an open access now (to revoke it, even after they stopped being a researcher)."""
    holding = study.accesses.filter(revoked_at=None).values("researcher")
    return User.objects.filter(
        Q(pk__in=researchers_of(study).values("pk")) | Q(pk__in=holding)
    ).order_by("full_name", "pk")
