from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.utils import timezone

from bridgework.audit.models import AccessEvent
from bridgework.care import actions as care
from bridgework.interop.models import RequestCount
from bridgework.interop.tests.helpers import call, token_for
from bridgework.plans import actions as plans
from bridgework.plans.models import PlanTemplate
from bridgework.practice import actions as practice
from bridgework.practice.models import PracticeLog
from bridgework.test import BaseTestCase, user_of


class ApiTests(BaseTestCase):
    def setUp(self) -> None:
        self.plan = plans.start_plan(
            self.client_a, by=self.therapist_a, template=PlanTemplate.objects.first()
        )
        plans.agree(self.plan, by=self.therapist_a)
        self.token, self.secret = token_for(user_of(self.client_a))

    def practice(self, **fields: Any) -> dict[str, Any]:
        return {
            "uid": str(uuid.uuid4()),
            "plan": self.plan.pk,
            "outcome": "done",
            "entries": {"how_it_went": 70},
            **fields,
        }

    def post(self, url: str, body: Any, secret: str | None = None) -> Any:
        return call(self.client, "post", url, secret or self.secret, body)

    def test_the_same_practice_sent_twice_is_kept_once_and_answered_with_the_first(self) -> None:
        entry = self.practice(note="Went to the shop")
        first = self.post("/api/v1/practice-logs", entry)
        again = self.post("/api/v1/practice-logs", entry)
        self.assertEqual((first.status_code, again.status_code), (201, 200))
        self.assertEqual(again.json(), first.json())
        self.assertEqual(PracticeLog.objects.filter(uid=entry["uid"]).count(), 1)

    def assert_refused_naming(self, response: Any, status: int, field: str) -> str:
        self.assertEqual(response.status_code, status, response.content)
        self.assertEqual(response["Content-Type"], "application/problem+json")
        problem = response.json()
        self.assertEqual(problem["status"], status)
        self.assertTrue(problem["type"] and problem["title"] and problem["detail"])
        named = {error["field"]: error["message"] for error in problem["errors"]}
        self.assertIn(field, named)
        return named[field]

    def test_a_nul_in_a_note_is_refused_naming_the_field(self) -> None:
        response = self.post("/api/v1/practice-logs", self.practice(note="a\x00b"))
        self.assertIn("U+0000", self.assert_refused_naming(response, 422, "note"))
        self.assertFalse(PracticeLog.objects.exists())

    def test_half_an_emoji_is_refused_naming_where_it_sits(self) -> None:
        # A lone surrogate can only arrive as a JSON escape: raw, it is no UTF-8.
        uid = str(uuid.uuid4())
        body = '{"uid": "' + uid + '", "worksheet": "free-diary", "entries": {"entry": "x\\ud83d"}}'
        response = self.client.post(
            "/api/v1/practice-logs",
            body,
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.secret}"},
        )
        self.assertIn("entries/entry", self.assert_refused_naming(response, 422, "entries"))

    def test_an_out_of_range_rating_is_refused_naming_the_field(self) -> None:
        response = self.post("/api/v1/practice-logs", self.practice(entries={"how_it_went": 170}))
        self.assertIn("0 to 100", self.assert_refused_naming(response, 422, "entries.how_it_went"))

    def test_an_out_of_range_check_in_names_the_scale(self) -> None:
        scale = practice.add_scale(
            self.client_a, by=self.therapist_a, name="Mood", low_anchor="low", high_anchor="good"
        )
        body = {"uid": str(uuid.uuid4()), "ratings": {str(scale.pk): 101}}
        response = self.post("/api/v1/check-ins", body)
        self.assertIn("Mood", self.assert_refused_naming(response, 422, f"ratings.{scale.pk}"))

    def test_malformed_json_is_a_400_problem(self) -> None:
        response = self.client.post(
            "/api/v1/practice-logs",
            "{not json",
            content_type="application/json",
            headers={"Authorization": f"Bearer {self.secret}"},
        )
        self.assert_refused_naming(response, 400, "")

    def test_a_wrong_type_names_the_field(self) -> None:
        response = self.post("/api/v1/practice-logs", self.practice(duration_minutes="long"))
        self.assert_refused_naming(response, 422, "duration_minutes")

    def test_a_token_without_the_area_or_write_access_is_refused_with_403(self) -> None:
        _token, reader = token_for(user_of(self.client_a), write=False)
        self.assertEqual(
            self.post("/api/v1/practice-logs", self.practice(), reader).status_code, 403
        )
        _token, plans_only = token_for(self.therapist_a, areas=["plans"])
        refused = call(self.client, "get", f"/api/v1/clients/{self.client_a.pk}", plans_only)
        self.assertEqual(refused.status_code, 403)
        self.assertEqual(refused["Content-Type"], "application/problem+json")
        noted = AccessEvent.objects.filter(allowed=False, object_type="access-token")
        self.assertEqual(
            sorted(noted.values_list("actor_id", "action")),
            sorted([(user_of(self.client_a).pk, "change"), (self.therapist_a.pk, "view")]),
        )

    def test_the_121st_request_in_a_minute_is_refused_with_retry_after(self) -> None:
        minute = timezone.now().replace(second=0, microsecond=0)
        RequestCount.objects.create(token=self.token, minute=minute, requests=119)
        self.assertEqual(call(self.client, "get", "/api/v1/clients", self.secret).status_code, 200)
        refused = call(self.client, "get", "/api/v1/clients", self.secret)
        self.assertEqual(refused.status_code, 429)
        self.assertGreaterEqual(int(refused["Retry-After"]), 1)
        self.assertEqual(refused.json()["type"].rsplit("/", 1)[1], "rate-limited")

    def test_the_audit_trail_names_the_token_owner_and_the_token(self) -> None:
        self.post("/api/v1/practice-logs", self.practice())
        created = AccessEvent.objects.get(object_type="practice-log", action="create")
        self.assertEqual(created.actor_id, user_of(self.client_a).pk)
        self.assertEqual(created.via, f"token:{self.token.pk}")
        self.token.refresh_from_db()
        self.assertIsNotNone(self.token.last_used_at)

    def test_a_therapist_pages_through_goals_with_cursors(self) -> None:
        for text in ("Sleep", "Swim", "Sing"):
            care.add_goal(self.client_a, text=text, by=self.therapist_a)
        _token, secret = token_for(self.therapist_a)
        url = f"/api/v1/clients/{self.client_a.pk}/goals?limit=2"
        first = call(self.client, "get", url, secret).json()
        second = call(self.client, "get", f"{url}&cursor={first['next']}", secret).json()
        texts = [goal["text"] for goal in first["items"] + second["items"]]
        self.assertEqual(texts, ["Sleep", "Swim", "Sing"])
        self.assertIsNone(second["next"])

    def test_a_cursor_of_another_list_is_refused(self) -> None:
        _token, secret = token_for(self.therapist_a)
        for text in ("Sleep", "Swim"):
            care.add_goal(self.client_a, text=text, by=self.therapist_a)
        cursor = call(
            self.client, "get", f"/api/v1/clients/{self.client_a.pk}/goals?limit=1", secret
        ).json()["next"]
        url = f"/api/v1/clients/{self.client_a.pk}/plans?cursor={cursor}"
        self.assert_refused_naming(call(self.client, "get", url, secret), 422, "cursor")

    def test_a_therapist_lists_their_caseload_and_makes_a_plan_from_a_template(self) -> None:
        _token, secret = token_for(self.therapist_a)
        caseload = call(self.client, "get", "/api/v1/clients", secret).json()
        self.assertEqual([row["id"] for row in caseload["items"]], [self.client_a.pk])
        slug = PlanTemplate.objects.filter(clinic=None).values_list("slug", flat=True).first()
        made = self.post(f"/api/v1/clients/{self.client_a.pk}/plans", {"template": slug}, secret)
        self.assertEqual(made.status_code, 201)
        self.assertEqual(made.json()["status"], "draft")

    def test_a_client_is_not_shown_the_flags_their_answers_raise(self) -> None:
        answers = {str(item): 1 for item in range(1, 10)}
        made = self.post(
            f"/api/v1/clients/{self.client_a.pk}/responses",
            {"instrument": "phq-9", "answers": answers},
        )
        self.assertEqual(made.status_code, 201)
        self.assertEqual(made.json()["flags"], [])
        self.assertTrue(made.json()["risk"])
        self.assertEqual(made.json()["response"]["scores"]["total"]["value"], 9)

    def test_a_used_token_counts_requests_in_the_database(self) -> None:
        call(self.client, "get", "/api/v1/clients", self.secret)
        self.assertEqual(RequestCount.objects.get(token=self.token).requests, 1)
        self.assertEqual(settings.API_REQUESTS_A_MINUTE, 120)

    def test_a_problem_speaks_the_token_owners_language(self) -> None:
        owner = user_of(self.client_a)
        owner.language = "de"
        owner.save(update_fields=["language"])
        response = self.post("/api/v1/practice-logs", self.practice(duration_minutes="long"))
        self.assertEqual(response.json()["errors"][0]["message"], "Geben Sie eine ganze Zahl ein.")

    def test_the_api_ignores_a_signed_in_browser(self) -> None:
        # No session auth: a page open in a signed-in browser cannot drive the API (no CSRF).
        self.sign_in(self.therapist_a)
        response = self.client.get(f"/api/v1/clients/{self.client_a.pk}")
        self.assertEqual(response.status_code, 401)
        self.assertEqual(response["WWW-Authenticate"], 'Bearer realm="bridgework"')

    def test_a_therapist_reviews_a_plan_with_the_pages_checks(self) -> None:
        _token, secret = token_for(self.therapist_a)
        url = f"/api/v1/plans/{self.plan.pk}/review"
        refused = self.post(
            url, {"answers": {"done": 9, "decision": "continue", "mood": 1}}, secret
        )
        self.assert_refused_naming(refused, 422, "answers.mood")
        self.assert_refused_naming(refused, 422, "answers.done")
        reviewed = self.post(url, {"answers": {"done": 2, "decision": "stop"}}, secret)
        self.assertEqual(reviewed.status_code, 200, reviewed.content)
        self.assertEqual(reviewed.json()["plan"]["status"], "reviewed")
