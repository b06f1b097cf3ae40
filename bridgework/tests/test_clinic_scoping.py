"""Every table that holds client data can be filtered by its clinic in at most one join.

This is what lets a service larger than one PostgreSQL primary distribute its tables by clinic
(docs/scaling.md): a query about one clinic's clients reaches one shard.

The rule, computed from the model graph rather than listed by hand:

- A model *holds client data* when it is `care.Client`, or a chain of its forward foreign keys
  and one-to-one fields (the tables behind many-to-many fields included) reaches `care.Client`.
  A few models hold client data without such a chain (`HOLDS_CLIENT_DATA_WITHOUT_A_LINK`);
  every other model must be named in `NO_CLIENT_DATA` with the reason, so a new model cannot
  slip past the test unclassified.
- Such a model is *scoped by its clinic in at most one join* when it has a foreign key named
  `clinic` to `accounts.Clinic` itself (no join: `Model.objects.filter(clinic=clinic)`), or
  when the first foreign key on its way to the client leads to a model that has one (one join:
  `Model.objects.filter(client__clinic=clinic)`). `care.Client` has `clinic` itself, so
  anything with a `client` foreign key qualifies. Only the way to the client counts: another
  foreign key with a clinic (the staff member who made a revision, say) is not the client's.
- The filter is run, not only found: for each of the cast's two clinics and the demo clinic
  (its seed fills most tables; `add_what_the_demo_leaves_out` the rest),
  `Model.objects.filter(<lookup>=clinic)` must return exactly the rows whose client, reached
  by following the chain in Python, belongs to that clinic; and every table must have rows.

Models that need two joins today are `TWO_JOINS`, with the reason; docs/scaling.md says what
Citus would need of them. Their two-join filter is proved in the same way.
"""

from __future__ import annotations

from collections import deque
from datetime import date
from io import StringIO
from typing import Any

from django.apps import apps
from django.core.management import call_command
from django.db import models

from bridgework.accounts.models import AccountEmail, Clinic, Invitation, User
from bridgework.audit.models import AccessEvent
from bridgework.care.models import Client
from bridgework.interop.fhir.models import Link
from bridgework.measures.models import Baseline, Response
from bridgework.prompts.models import CalendarFeed, PushSubscription
from bridgework.records.models import ErasureRequest, LegalHold
from bridgework.research.models import Export, Study
from bridgework.test import BaseTestCase

Model = type[models.Model]

NO_CLIENT_DATA: dict[str, str] = {
    "accounts.Clinic": "the clinic itself: the distribution key, not data about a client",
    "accounts.Supervision": "which staff member supervises which: staff, not clients",
    "accounts.PasswordReset": "a reset link of an account; its user is scoped by clinic",
    "accounts.ThrottleHit": "counted reset requests and links, keyed by an HMAC, of no clinic",
    "accounts.SignInChange": "a change of an account's sign-in; its user is scoped by clinic",
    "audit.ChainHead": "the head of an audit chain: a name, a number and a hash",
    "interop.AccessToken": "a staff member's API token (has its own clinic)",
    "records.RetentionPolicy": "a clinic's retention rule: years, no client",
    "records.ForgottenSession": "an erased client's session, as a hash only: no client, no clinic",
    "interop.RequestCount": "requests per token and minute, for the rate limit",
    "measures.Instrument": "questionnaires: shipped ones of no clinic, or a clinic's own",
    "plans.PlanTemplate": "plan templates: shipped ones of no clinic, or a clinic's own",
    "research.Study": "a study's description (has its owning clinic and the clinics it spans)",
    "research.Study_clinics": "which clinics a study spans",
    "research.StudyAccess": "a researcher's access to a study",
    "research.Export": "an export's record; the clients it holds are Export_included_clients",
    "supervision.Assignment": "a trainee's role-play assignment (has its clinic)",
}

# Client data that no foreign key chain leads to, with the lookup that scopes it and how to
# tell, in Python, which client a row belongs to.
HOLDS_CLIENT_DATA_WITHOUT_A_LINK: dict[str, str] = {
    # A client's account (e-mail, name): Client points at it, not it at Client.
    "accounts.User": "clinic",
    # The trail keeps plain ids, not foreign keys, so that it outlives the rows it speaks of.
    "audit.AccessEvent": "clinic_id",
}

TWO_JOINS: dict[str, str] = {
    "measures.FlagNotice": "a flag's notice to the care team, reached through its flag",
    "plans.ActionPlan_goals": "which goals a plan serves, reached through the plan",
    "plans.ImageryRehearsal": "a plan's imagery rehearsal, reached through the plan",
    "plans.Obstacle": "an obstacle of a plan, reached through the plan",
    "plans.PlanRevision": "a plan's earlier version, reached through the plan",
    "plans.Review": "a plan's review, reached through the plan",
    "practice.Rating": "a rating within a check-in, reached through the check-in",
    "prompts.PromptEvent": "a step in a reminder's life, reached through the prompt",
}


def project_models() -> list[Model]:
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_config.name.startswith("bridgework.")
    ]


def links(model: Model) -> list[Any]:
    """The model's forward foreign keys and one-to-one fields."""
    return [
        field
        for field in model._meta.get_fields()
        if field.concrete and (field.many_to_one or field.one_to_one) and field.related_model
    ]


def path_to_client(model: Model) -> list[str] | None:
    """The shortest chain of forward links from `model` to Client (breadth first)."""
    queue: deque[tuple[Model, list[str]]] = deque([(model, [])])
    seen = {model}
    while queue:
        current, path = queue.popleft()
        if current is Client:
            return path
        for field in links(current):
            if field.related_model not in seen:
                seen.add(field.related_model)
                queue.append((field.related_model, [*path, field.name]))
    return None


def has_clinic(model: Model) -> bool:
    return any(field.name == "clinic" and field.related_model is Clinic for field in links(model))


def clinic_lookup(model: Model, path: list[str]) -> str:
    """`clinic` on the model itself, else `<fk>__clinic` by the model's first step towards its
    client; failing both, the whole chain to the client (two joins or more). Only the way to the
    client counts: another foreign key with a clinic (who made a revision, say) is a staff
    member's clinic, not the client's, and may be empty."""
    if has_clinic(model):
        return "clinic"
    first: Model = model._meta.get_field(path[0]).related_model  # type: ignore[assignment]
    if has_clinic(first):
        return f"{path[0]}__clinic"
    return "__".join([*path, "clinic"])


def joins(lookup: str) -> int:
    return lookup.count("__")


def clinic_of_row(row: models.Model, path: list[str]) -> int | None:
    """The clinic of the client the row belongs to, followed in Python, not through the filter."""
    target: Any = row
    for name in path:
        target = getattr(target, name)
        if target is None:
            return None  # an optional link left empty: this row is about no client
    return int(target.clinic_id)


def add_what_the_demo_leaves_out(client: Client) -> None:
    """Rows of the tables the demo seed leaves empty, straight into the tables: the test is
    about where rows can be found, not how they are made (each app's tests cover that)."""
    invitation = Invitation.objects.get(client=client)
    AccountEmail.objects.create(
        kind=AccountEmail.Kind.INVITATION,
        clinic=client.clinic,
        invitation=invitation,
        language="en",
    )
    PushSubscription.objects.create(
        client=client, endpoint=f"https://push.example.org/{client.pk}", p256dh="k", auth="a"
    )
    CalendarFeed.objects.create(client=client, token_hash=f"{client.pk:064d}")
    Link.objects.create(
        clinic=client.clinic,
        client=client,
        kind=Link.Kind.CLIENT,
        system="https://ehr.example.org/patients",
        value=str(client.pk),
        object_id=client.pk,
    )
    LegalHold.objects.create(client=client, reason="court order", ends_on=date(2030, 1, 1))
    ErasureRequest.objects.create(
        clinic=client.clinic, client=client, received_from=ErasureRequest.From.CLIENT
    )


def add_a_baseline_and_an_export(demo: Clinic) -> None:
    """A baseline and an export of the demo's study, which need the demo's responses and study."""
    response = Response.objects.filter(client__clinic=demo).first()
    assert response is not None, "the demo seed made no questionnaire response"
    Baseline.objects.create(
        client=response.client, slug=response.instrument.slug, response=response
    )
    export = Export.objects.create(study=Study.objects.get(clinic=demo), format="csv")
    export.included_clients.add(response.client)


class EveryClientTableReachesItsClinicInOneJoin(BaseTestCase):
    demo: Clinic

    @classmethod
    def setUpTestData(cls) -> None:
        # The demo clinic first (its seed refuses a database with a real clinic), so that every
        # table has rows, then the cast's two clinics beside it.
        call_command("seed_demo", stdout=StringIO())
        super().setUpTestData()
        cls.demo = Clinic.objects.get(is_demo=True)
        for client in (cls.client_a, cls.other_client):
            add_what_the_demo_leaves_out(client)
        add_a_baseline_and_an_export(cls.demo)

    def clinics(self) -> list[Clinic]:
        return [self.clinic, self.other_clinic, self.demo]

    def linked_models(self) -> dict[Model, list[str]]:
        found: dict[Model, list[str]] = {}
        for model in project_models():
            path = path_to_client(model)
            if path is not None:
                found[model] = path
        return found

    def test_every_model_is_classified_as_holding_client_data_or_not(self) -> None:
        linked = {model._meta.label for model in self.linked_models()}
        classified = linked | set(NO_CLIENT_DATA) | set(HOLDS_CLIENT_DATA_WITHOUT_A_LINK)
        unclassified = {model._meta.label for model in project_models()} - classified
        self.assertEqual(unclassified, set(), "classify each new model in this test")
        self.assertEqual(linked & set(NO_CLIENT_DATA), set(), "these do reach a client")

    def test_every_linked_model_is_filtered_by_its_clinic_in_one_join(self) -> None:
        lookups = {
            model._meta.label: clinic_lookup(model, path)
            for model, path in self.linked_models().items()
        }
        too_far = {label for label, lookup in lookups.items() if joins(lookup) > 1}
        self.assertEqual(too_far, set(TWO_JOINS), lookups)
        self.assertTrue(all(joins(lookups[label]) == 2 for label in TWO_JOINS), lookups)

    def test_each_clinic_filter_returns_exactly_that_clinics_rows(self) -> None:
        for model, path in self.linked_models().items():
            lookup = clinic_lookup(model, path)
            rows = {row.pk: clinic_of_row(row, path) for row in model._default_manager.all()}
            with self.subTest(model=model._meta.label, lookup=lookup):
                self.assertTrue(any(rows.values()), "the demo seed left this table empty")
                self.assert_filter_matches(model, lookup, rows)

    def test_the_client_data_without_a_link_is_filtered_by_its_clinic_too(self) -> None:
        clinic_of_client = dict(Client.objects.values_list("pk", "clinic_id"))
        clinic_of_account = dict(Client.objects.values_list("user_id", "clinic_id"))
        users = {user.pk: clinic_of_account.get(user.pk) for user in User.objects.all()}
        events = {e.pk: clinic_of_client.get(e.client_id or 0) for e in AccessEvent.objects.all()}
        for model, rows in ((User, users), (AccessEvent, events)):
            lookup = HOLDS_CLIENT_DATA_WITHOUT_A_LINK[model._meta.label]
            with self.subTest(model=model._meta.label):
                self.assertTrue(any(rows.values()))
                self.assert_filter_matches(model, lookup, rows)

    def assert_filter_matches(self, model: Model, lookup: str, rows: dict[Any, int | None]) -> None:
        """The rows about a client of `clinic` are exactly those of the filter that are about a
        client (rows about no client, like a staff member's invitation, are not asked about)."""
        for clinic in self.clinics():
            value = clinic.pk if lookup.endswith("_id") else clinic
            filtered = set(
                model._default_manager.filter(**{lookup: value}).values_list("pk", flat=True)
            )
            about_clients = {pk for pk in filtered if rows[pk] is not None}
            expected = {pk for pk, of in rows.items() if of == clinic.pk}
            self.assertEqual(about_clients, expected, f"{model._meta.label} in {clinic}")
