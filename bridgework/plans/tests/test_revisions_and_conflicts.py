from __future__ import annotations

from bridgework.plans import actions
from bridgework.plans.models import ActionPlan
from bridgework.plans.revisions import changes
from bridgework.plans.tests.helpers import PlanTestCase


def editor_post(plan: ActionPlan, **overrides: object) -> dict[str, object]:
    """The editor form as a browser would post it for this plan, with some fields changed."""
    data: dict[str, object] = {name: getattr(plan, name) for name in actions.EDITABLE}
    data.update({name: "" if v is None else v for name, v in data.items()})
    data["rehearsed"] = "on" if plan.rehearsed else ""
    for name in actions.SESSION_LINKS:
        session = getattr(plan, name)
        data[name] = session.pk if session else ""
    data["goals"] = [goal.pk for goal in plan.goals.all()]
    obstacles = list(plan.obstacles.all())
    data.update(
        {
            "obstacles-TOTAL_FORMS": len(obstacles),
            "obstacles-INITIAL_FORMS": len(obstacles),
            "obstacles-MIN_NUM_FORMS": 0,
            "obstacles-MAX_NUM_FORMS": 12,
        }
    )
    for n, obstacle in enumerate(obstacles):
        data[f"obstacles-{n}-kind"] = obstacle.kind
        data[f"obstacles-{n}-description"] = obstacle.description
        data[f"obstacles-{n}-coping_plan"] = obstacle.coping_plan
        origin = obstacle.suggested_from
        data[f"obstacles-{n}-suggested_from"] = "" if origin is None else origin
    data["version"] = plan.version
    data.update(overrides)
    return data


class RevisionTests(PlanTestCase):
    def test_drafting_makes_no_revisions_but_every_change_after_agreeing_does(self) -> None:
        plan = self.draft()
        self.edit(plan, title="Ride the 8:10 bus")
        self.assertEqual(plan.revisions.count(), 0)
        actions.agree(plan, by=self.therapist_a)
        self.edit(plan, when="Monday and Thursday mornings")
        self.assertEqual(list(plan.revisions.values_list("number", flat=True)), [1, 2])

    def test_the_diff_names_the_changed_fields_and_words(self) -> None:
        plan = self.agreed()
        self.edit(
            plan, rationale="Staying on the bus lets the fear come down by itself.", confidence=6
        )
        first, second = plan.revisions.all()
        found = {change.field: change for change in changes(first.snapshot, second.snapshot)}
        self.assertEqual(set(found), {"rationale", "confidence"})
        self.assertIn(("removed", "Avoiding"), found["rationale"].pieces)
        self.assertIn(("added", "by itself."), found["rationale"].pieces)
        self.assertEqual((found["confidence"].before, found["confidence"].after), ("—", "6"))

    def test_the_revision_page_shows_what_changed(self) -> None:
        plan = self.agreed()
        self.edit(plan, where="The number 12 bus")
        self.sign_in(self.therapist_a)
        page = self.client.get(f"/plans/{plan.pk}/revisions/2/")
        self.assertContains(page, "<ins>The number 12 bus</ins>", html=False)
        self.assertEqual(self.client.get(f"/plans/{plan.pk}/revisions/9/").status_code, 404)


class ConflictTests(PlanTestCase):
    def test_a_stale_save_is_refused_and_shows_both_versions(self) -> None:
        plan = self.agreed()
        stale_form = editor_post(plan, when="Tuesday evening")
        self.edit(plan, when="Saturday morning")  # someone else, first

        self.sign_in(self.therapist_a)
        response = self.client.post(f"/plans/{plan.pk}/edit/", stale_form)

        self.assertContains(response, "Someone else saved this plan while you were editing it")
        self.assertContains(response, "Saturday morning")
        self.assertContains(response, "Tuesday evening")
        plan.refresh_from_db()
        self.assertEqual(plan.when, "Saturday morning")
        self.assertEqual(plan.revisions.count(), 2)

    def test_saving_again_after_seeing_both_versions_keeps_yours(self) -> None:
        plan = self.agreed()
        stale_form = editor_post(plan, when="Tuesday evening")
        self.edit(plan, when="Saturday morning")
        self.sign_in(self.therapist_a)
        self.client.post(f"/plans/{plan.pk}/edit/", stale_form)
        plan.refresh_from_db()
        response = self.client.post(
            f"/plans/{plan.pk}/edit/", {**stale_form, "version": plan.version}
        )
        self.assertEqual(response.status_code, 302)
        plan.refresh_from_db()
        self.assertEqual(plan.when, "Tuesday evening")

    def test_the_action_itself_refuses_a_stale_version(self) -> None:
        plan = self.agreed()
        with self.assertRaises(actions.StalePlan):
            actions.save_plan(
                plan,
                by=self.therapist_a,
                version=plan.version - 1,
                fields={"title": "Lost"},
                goals=[],
                obstacles=[],
            )
        plan.refresh_from_db()
        self.assertNotEqual(plan.title, "Lost")
