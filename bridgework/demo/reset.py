"""Taking the demo clinic away with everything that belongs to it, so that `seed_demo` can put
it back as new: its clients and all their records (plans, practice, check-ins, reminders,
questionnaires, flags and their notices…), its supervision (competence ratings, scenario
assignments and role-plays), its studies with their researchers' access and their exports
(the files too), its people and their sign-in records, its own templates and questionnaires,
and the clinic.

Only demo clinics: `seed_demo` refuses a database that holds any other. The audit trail stays,
as everywhere: it is append-only and holds no foreign keys. Its chains are keyed by client and
clinic ids, which are never handed out again (PostgreSQL's sequences, SQLite's AUTOINCREMENT),
so the old chains still verify and the new demo's records start chains of their own."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from bridgework.accounts.models import Clinic, User
from bridgework.care.models import Client
from bridgework.practice.models import Rating
from bridgework.research.models import Export, Study
from bridgework.supervision.models import Assignment, CompetenceRating, RolePlay


@transaction.atomic
def forget_demo_clinics() -> None:
    clinics = Clinic.objects.filter(is_demo=True)
    clients = Client.objects.filter(clinic__in=clinics)
    # In the order the PROTECT rules ask: a check-in scale goes only once no rating uses it,
    # a person only once they ran no session, a clinic only once it has no clients or people;
    # a session only once no competence rating or role-play names it.
    Rating.objects.filter(check_in__client__in=clients).delete()
    forget_studies(clinics)
    CompetenceRating.objects.filter(clinic__in=clinics).delete()
    RolePlay.objects.filter(assignment__clinic__in=clinics).delete()
    Assignment.objects.filter(clinic__in=clinics).delete()
    clients.delete()
    User.objects.filter(clinic__in=clinics).delete()
    clinics.delete()


def forget_studies(clinics: QuerySet[Clinic]) -> None:
    """The demo clinic's studies (their accesses and exports go with them) and the export
    files, removed once the reset is committed: a rolled-back reset keeps its files."""
    studies = Study.objects.filter(clinic__in=clinics)
    files = [
        name
        for name in Export.objects.filter(study__in=studies).values_list("file_name", flat=True)
    ]
    studies.delete()
    transaction.on_commit(lambda: remove_export_files(files))


def remove_export_files(names: list[str]) -> None:
    folder = Path(settings.RESEARCH_EXPORT_DIR).resolve()
    for name in filter(None, names):
        path = (folder / name).resolve()
        # Only files inside the export folder, whatever a row says.
        if path.is_relative_to(folder) and path.is_file():
            path.unlink()
