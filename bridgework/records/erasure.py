"""Erasing a client: their health data and identity, from every table that links to them.

Which tables: every model with a foreign key, one-to-one or many-to-many field to
`care.Client`, read from Django's model graph (`client_links`), so a model added later is
counted and erased without anyone remembering it here; the rows further down (ratings of a
check-in, a flag's notices…) go with them by their own CASCADE rules. The client's sign-in
account goes too. The audit trail stays (THREAT_MODEL.md, "Erasure and the audit trail").
"""

from __future__ import annotations

from typing import Any

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.audit.trail import noted
from bridgework.care.models import Client
from bridgework.practice.models import Rating
from bridgework.records import forget
from bridgework.records.actions import Refused, check_erasable
from bridgework.records.models import ErasureRequest
from bridgework.research import expiry
from bridgework.supervision.models import CompetenceRating

# The erasure's own record keeps the clinic's report and loses the client (SET_NULL).
KEPT_WITHOUT_CLIENT = {ErasureRequest}
ACCOUNT = "sign-in account"
# What the pages call each kind of row an erasure removes, in the reader's language. The
# counts (and the erasure's report) keep the models' English plurals, a stable key.
KIND_NAMES = {
    "invitations": gettext_lazy("invitations"),
    "care team memberships": gettext_lazy("care team memberships"),
    "goals": gettext_lazy("goals"),
    "therapy sessions": gettext_lazy("therapy sessions"),
    "consents": gettext_lazy("consents"),
    "action plans": gettext_lazy("action plans"),
    "practice logs": gettext_lazy("practice logs"),
    "check in scales": gettext_lazy("check-in scales"),
    "check ins": gettext_lazy("check-ins"),
    "schedules": gettext_lazy("reminder schedules"),
    "prompts": gettext_lazy("prompts"),
    "push subscriptions": gettext_lazy("push subscriptions"),
    "calendar feeds": gettext_lazy("calendar feeds"),
    "responses": gettext_lazy("questionnaire responses"),
    "baselines": gettext_lazy("baselines"),
    "flags": gettext_lazy("flags"),
    "role plays": gettext_lazy("role-plays"),
    "exports": gettext_lazy("research exports"),
    "links": gettext_lazy("links to other record systems"),
    "legal holds": gettext_lazy("legal holds"),
    "erasure requests": gettext_lazy("erasure requests"),
    "clients": gettext_lazy("clients"),
    ACCOUNT: gettext_lazy("sign-in account"),
}


def named(counts: dict[str, int]) -> dict[str, int]:
    """The counts with each kind in the reader's words (an unknown kind as it is)."""
    return {str(KIND_NAMES.get(kind, kind)): count for kind, count in counts.items()}


def client_links() -> list[models.Field[Any, Any]]:
    """Every field of every installed model that points at a client."""
    return [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.Field)  # its own fields, not the reverse relations
        if field.is_relation and field.related_model is Client
    ]


def rows_of(field: models.Field[Any, Any], client_id: int) -> models.QuerySet[Any]:
    model: type[models.Model] = field.model
    return model._default_manager.filter(**{field.name: client_id})


def preview(client: Client) -> dict[str, int]:
    """How many rows of each kind an erasure removes (kinds named by their model's plural),
    the client's own row and sign-in account included. Numbers only: safe for any report."""
    counts: dict[str, int] = {}
    for field in client_links():
        if field.model in KEPT_WITHOUT_CLIENT:
            continue
        found = rows_of(field, client.pk).count()
        if found:
            name = str(field.model._meta.verbose_name_plural)
            counts[name] = counts.get(name, 0) + found
    counts[str(Client._meta.verbose_name_plural)] = 1
    if client.user_id is not None:
        counts[ACCOUNT] = 1
    return dict(sorted(counts.items()))


@transaction.atomic
def erase(request: ErasureRequest, *, by: User | None, trigger: str) -> dict[str, int]:
    """Erase the request's client, in one transaction, unless a hold or the retention period
    keeps their records (`check_erasable` refuses, naming them). `trigger` says what set it
    off for the report: the admin, a hold that ended, the retention that ran out."""
    if request.client_id is None:
        raise Refused(_("This request's client is erased already."))
    client = Client.objects.select_for_update().select_related("clinic").get(pk=request.client_id)
    check_erasable(client)
    counts = preview(client)
    client_id, clinic_id, account = client.pk, client.clinic_id, client.user
    expiry.withdraw_from_exports(client)  # as a withdrawn research consent does
    # In the order the PROTECT rules ask (as demo.reset does): ratings before their scales,
    # a supervisor's ratings of the client's sessions before the sessions.
    Rating.objects.filter(check_in__client=client).delete()
    CompetenceRating.objects.filter(session__client=client).delete()
    client.delete()
    if account is not None:
        forget_account(account)
    request.client, request.state, request.done_at = None, ErasureRequest.State.DONE, timezone.now()
    request.counts = {"trigger": trigger, "rows": counts}
    request.save(update_fields=["client", "state", "done_at", "counts"])
    noted(
        by,
        AccessEvent.Action.DELETE,
        "client",
        client_id,
        clinic_id=clinic_id,
        client_id=client_id,
        detail={"erasure_request": request.pk, "trigger": trigger, "rows": counts},
    )
    return counts


def forget_account(account: User) -> None:
    """The client's sign-in account and django-axes' records of their sign-in attempts, which
    keep the address they signed in with."""
    forget.forget_sessions(account)  # and leave the phone a marker to forget by
    for log in (AccessAttempt, AccessLog, AccessFailureLog):
        log.objects.filter(username=account.get_username()).delete()
    account.delete()
