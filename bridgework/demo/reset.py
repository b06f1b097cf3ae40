"""Taking the demo clinic away with everything that belongs to it, so that `seed_demo` can put
it back as new: its clients and all their records (plans, practice, check-ins, reminders,
questionnaires, flags and their notices…), its supervision (competence ratings, scenario
assignments and role-plays), its people and their sign-in records, its own
templates and questionnaires, and the clinic.

Only demo clinics: `seed_demo` refuses a database that holds any other. The audit trail stays,
as everywhere: it is append-only and holds no foreign keys. Its chains are keyed by client and
clinic ids, which are never handed out again (PostgreSQL's sequences, SQLite's AUTOINCREMENT),
so the old chains still verify and the new demo's records start chains of their own."""

from __future__ import annotations

from django.db import transaction

from bridgework.accounts.models import Clinic, User
from bridgework.care.models import Client
from bridgework.practice.models import Rating
from bridgework.supervision.models import Assignment, CompetenceRating, RolePlay


@transaction.atomic
def forget_demo_clinics() -> None:
    clinics = Clinic.objects.filter(is_demo=True)
    clients = Client.objects.filter(clinic__in=clinics)
    # In the order the PROTECT rules ask: a check-in scale goes only once no rating uses it,
    # a person only once they ran no session, a clinic only once it has no clients or people;
    # a session only once no competence rating or role-play names it.
    Rating.objects.filter(check_in__client__in=clients).delete()
    CompetenceRating.objects.filter(clinic__in=clinics).delete()
    RolePlay.objects.filter(assignment__clinic__in=clinics).delete()
    Assignment.objects.filter(clinic__in=clinics).delete()
    clients.delete()
    User.objects.filter(clinic__in=clinics).delete()
    clinics.delete()
