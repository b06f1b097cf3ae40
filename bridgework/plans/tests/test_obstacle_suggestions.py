"""A template's typical obstacles are suggestions the client keeps or leaves, not a copy."""

from __future__ import annotations

from bridgework.plans import actions
from bridgework.plans.forms import suggestions_for
from bridgework.plans.models import ActionPlan
from bridgework.plans.tests.helpers import PlanTestCase
from bridgework.plans.tests.test_revisions_and_conflicts import editor_post


def with_suggestions(
    plan: ActionPlan, rows: dict[int, dict[str, str]] | None = None
) -> dict[str, object]:
    """The editor's post with its suggestion rows as the browser sends them: `rows` maps a
    row number to its fields ("keep": "on" ticks it)."""
    suggested = plan.template.obstacles if plan.template else []
    data = editor_post(plan)
    data.update(
        {"suggested-TOTAL_FORMS": len(suggested), "suggested-INITIAL_FORMS": len(suggested)}
    )
    for n, obstacle in enumerate(suggested):
        data.update({f"suggested-{n}-{key}": value for key, value in obstacle.items()})
        data[f"suggested-{n}-suggested_from"] = n
    for n, fields in (rows or {}).items():
        data.update({f"suggested-{n}-{key}": value for key, value in fields.items()})
    return data


class ObstacleSuggestionTests(PlanTestCase):
    def test_a_draft_starts_with_none_and_the_editor_offers_the_templates_to_keep(self) -> None:
        plan = self.draft()
        self.assertFalse(plan.obstacles.exists())
        self.sign_in(self.therapist_a)
        editor = self.client.get(f"/plans/{plan.pk}/edit/")
        template = self.template()
        self.assertContains(editor, "Keep this obstacle", count=len(template.obstacles))
        for obstacle in template.obstacles:
            self.assertContains(editor, obstacle["coping_plan"].replace("'", "&#x27;"))

    def test_only_the_kept_ones_are_saved_in_the_clients_words(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        data = with_suggestions(
            plan, {0: {"keep": "on", "coping_plan": "Breathe out slowly, then stay"}}
        )
        self.client.post(f"/plans/{plan.pk}/edit/", data)
        kept = list(plan.obstacles.values_list("description", "coping_plan"))
        first = self.template().obstacles[0]
        self.assertEqual(kept, [(first["description"], "Breathe out slowly, then stay")])

    def test_leaving_every_suggestion_saves_none(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        response = self.client.post(f"/plans/{plan.pk}/edit/", with_suggestions(plan))
        self.assertEqual(response.status_code, 302)
        self.assertFalse(plan.obstacles.exists())

    def test_a_kept_suggestion_is_not_offered_again(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        self.client.post(f"/plans/{plan.pk}/edit/", with_suggestions(plan, {1: {"keep": "on"}}))
        editor = self.client.get(f"/plans/{plan.pk}/edit/")
        count = len(self.template().obstacles)
        self.assertContains(editor, "Keep this obstacle", count=count - 1)
        self.assertContains(editor, 'name="obstacles-0-description"')

    def test_a_kept_suggestion_put_in_the_clients_words_is_not_offered_again(self) -> None:
        plan = self.draft()
        template = self.template()
        self.sign_in(self.therapist_a)
        reworded = {"keep": "on", "description": "When my chest tightens on the bus"}
        self.client.post(f"/plans/{plan.pk}/edit/", with_suggestions(plan, {1: reworded}))
        editor = self.client.get(f"/plans/{plan.pk}/edit/")
        offered = [s["description"] for s in editor.context["suggested"].initial]
        self.assertEqual(
            offered,
            [
                template.obstacles[0]["description"],
                *(o["description"] for o in template.obstacles[2:]),
            ],
        )

    def test_saving_again_keeps_where_a_kept_obstacle_came_from(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        reworded = {"keep": "on", "description": "When my chest tightens on the bus"}
        self.client.post(f"/plans/{plan.pk}/edit/", with_suggestions(plan, {1: reworded}))
        plan.refresh_from_db()
        self.client.post(f"/plans/{plan.pk}/edit/", editor_post(plan, title="Ride two stops"))
        self.assertEqual(list(plan.obstacles.values_list("suggested_from", flat=True)), [1])
        editor = self.client.get(f"/plans/{plan.pk}/edit/")
        self.assertContains(editor, 'name="obstacles-0-suggested_from" value="1"')

    def test_the_draft_replacing_a_reviewed_plan_does_not_offer_what_it_kept(self) -> None:
        plan = self.draft()
        self.edit(
            plan,
            obstacles=[
                {"kind": "practical", "description": "Rain", "coping_plan": "", "suggested_from": 0}
            ],
        )
        actions.agree(plan, by=self.therapist_a)
        successor = actions.review(
            plan, by=self.therapist_a, session=None, answers={"done": 1, "decision": "modify"}
        ).successor
        assert successor is not None
        self.assertEqual(list(successor.obstacles.values_list("suggested_from", flat=True)), [0])
        self.assertNotIn(0, [s["suggested_from"] for s in suggestions_for(successor)])

    def test_a_draft_replacing_a_reviewed_plan_keeps_its_own_obstacles_as_they_were(self) -> None:
        plan = self.draft()
        self.edit(plan, obstacles=[{"kind": "practical", "description": "Rain", "coping_plan": ""}])
        actions.agree(plan, by=self.therapist_a)
        successor = actions.review(
            plan, by=self.therapist_a, session=None, answers={"done": 1, "decision": "modify"}
        ).successor
        assert successor is not None
        self.assertEqual(list(successor.obstacles.values_list("description", flat=True)), ["Rain"])

    def test_a_blank_plan_offers_no_suggestions(self) -> None:
        plan = actions.start_plan(self.client_a, by=self.therapist_a)
        self.sign_in(self.therapist_a)
        self.assertNotContains(self.client.get(f"/plans/{plan.pk}/edit/"), "Keep this obstacle")

    def test_the_obstacle_indicator_counts_only_obstacles_that_were_kept(self) -> None:
        plan = self.draft()
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/")
        self.assertContains(page, 'coping plan<span class="visually-hidden">: no')
        self.client.post(f"/plans/{plan.pk}/edit/", with_suggestions(plan, {0: {"keep": "on"}}))
        page = self.client.get(f"/plans/{plan.pk}/")
        self.assertContains(page, 'coping plan<span class="visually-hidden">: yes')
