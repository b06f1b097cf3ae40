from __future__ import annotations

import json
from datetime import timedelta

from django.utils import timezone

from bridgework.accounts.models import User
from bridgework.audit.models import AccessEvent
from bridgework.research import actions
from bridgework.research.export.tables import TABLES
from bridgework.research.models import Study, StudyAccess
from bridgework.research.tests.study_setup import StudyCase, consent
from bridgework.test import make_staff


class SettingUpAStudyTests(StudyCase):
    def form(self, **changes: object) -> dict[str, object]:
        today = timezone.localdate()
        data: dict[str, object] = {
            "name": "Homework and outcome",
            "purpose": "Engagement between sessions",
            "starts_on": (today - timedelta(days=90)).isoformat(),
            "ends_on": today.isoformat(),
            "clinics": [self.clinic.pk],
            "tables": ["practice_logs", "clients"],
            "shift_dates": "on",
        }
        return data | changes

    def test_an_admin_sets_up_a_study_of_their_own_clinic(self) -> None:
        self.sign_in(self.admin)
        response = self.client.post("/research/studies/new/", self.form())
        study = Study.objects.get()
        self.assertRedirects(response, f"/research/studies/{study.pk}/access/")
        self.assertEqual(study.clinic, self.clinic)
        self.assertEqual(list(study.clinics.all()), [self.clinic])
        self.assertEqual(study.tables, ["clients", "practice_logs"])  # the codebook's order
        self.assertTrue(study.shift_dates)
        self.assertFalse(study.include_free_text)
        event = AccessEvent.objects.get(object_type="study", action="create")
        self.assertEqual(event.actor_id, self.admin.pk)
        self.assertEqual(event.changes["values"]["tables"], [None, ["clients", "practice_logs"]])
        self.assertIn("name", event.changes["named"])  # words are named, never kept

    def test_the_form_offers_every_table_by_its_title(self) -> None:
        self.sign_in(self.admin)
        page = self.client.get("/research/studies/new/")
        for table in TABLES.values():
            self.assertContains(page, f'value="{table.name}"')
            self.assertContains(page, table.title)

    def test_it_refuses_a_period_that_ends_before_it_starts(self) -> None:
        self.sign_in(self.admin)
        response = self.client.post("/research/studies/new/", self.form(ends_on="2020-01-01"))
        self.assertContains(response, "The data period ends before it starts")
        self.assertFalse(Study.objects.exists())

    def test_it_refuses_a_study_without_tables(self) -> None:
        self.sign_in(self.admin)
        response = self.client.post("/research/studies/new/", self.form(tables=[]))
        self.assertContains(response, "Choose at least one table")

    def test_it_refuses_another_clinic_as_a_source(self) -> None:
        self.sign_in(self.admin)
        response = self.client.post(
            "/research/studies/new/", self.form(clinics=[self.other_clinic.pk])
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Study.objects.exists())
        with self.assertRaisesMessage(actions.StudyRefused, "only from the clinic you administer"):
            self.make_study(clinics=[self.other_clinic])

    def test_an_admin_changes_a_study_and_the_trail_keeps_the_tables_changed(self) -> None:
        study = self.make_study()
        self.sign_in(self.admin)
        response = self.client.post(
            f"/research/studies/{study.pk}/edit/", self.form(tables=["clients", "goals"])
        )
        self.assertRedirects(response, "/research/studies/")
        study.refresh_from_db()
        self.assertEqual(study.name, "Homework and outcome")
        event = AccessEvent.objects.get(
            object_type="study", action="change", changes__has_key="values"
        )
        self.assertEqual(
            event.changes["values"]["tables"], [list(study_tables()), ["clients", "goals"]]
        )

    def test_the_edit_page_shows_the_study_as_it_is(self) -> None:
        study = self.make_study()
        self.sign_in(self.admin)
        page = self.client.get(f"/research/studies/{study.pk}/edit/")
        self.assertContains(page, 'value="Engagement and outcome"')
        self.assertContains(page, 'value="sessions" id="id_tables_1" checked')

    def test_another_clinics_admin_gets_404_and_a_refusal(self) -> None:
        study = self.make_study()
        self.sign_in(self.other_admin)
        for url in (f"/research/studies/{study.pk}/edit/", f"/research/studies/{study.pk}/access/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)
        self.assertTrue(
            AccessEvent.objects.filter(actor_id=self.other_admin.pk, allowed=False).exists()
        )
        self.sign_in(self.other_admin)
        self.assertNotContains(self.client.get("/research/studies/"), "Engagement and outcome")


def study_tables() -> list[str]:
    return ["clients", "sessions", "practice_logs"]


class AccessTests(StudyCase):
    def test_an_admin_grants_a_researcher_access_and_they_see_the_study(self) -> None:
        study = self.make_study(granted=False)
        self.sign_in(self.researcher)
        self.assertEqual(self.client.get(f"/research/studies/{study.pk}/").status_code, 404)
        self.sign_in(self.admin)
        response = self.client.post(
            f"/research/studies/{study.pk}/access/",
            {"researcher": self.researcher.pk, "action": "grant"},
        )
        self.assertRedirects(response, f"/research/studies/{study.pk}/access/")
        grant = StudyAccess.objects.get(study=study, researcher=self.researcher)
        self.assertEqual(grant.granted_by, self.admin)
        self.sign_in(self.researcher)
        self.assertContains(self.client.get("/research/"), f"/research/studies/{study.pk}/")
        self.assertContains(self.client.get(f"/research/studies/{study.pk}/"), study.name)

    def test_a_revoked_researcher_gets_404_with_a_refusal(self) -> None:
        study = self.make_study()
        self.sign_in(self.admin)
        self.client.post(
            f"/research/studies/{study.pk}/access/",
            {"researcher": self.researcher.pk, "action": "revoke"},
        )
        grant = StudyAccess.objects.get(study=study, researcher=self.researcher)
        self.assertEqual(grant.revoked_by, self.admin)
        self.sign_in(self.researcher)
        last = AccessEvent.objects.order_by("-id").values_list("id", flat=True).first()
        self.assertEqual(self.client.get(f"/research/studies/{study.pk}/").status_code, 404)
        refusal = AccessEvent.objects.get(id__gt=last, actor_id=self.researcher.pk)
        self.assertFalse(refusal.allowed)
        self.assertNotContains(self.client.get("/research/"), study.name)

    def test_access_is_granted_again_after_a_revocation(self) -> None:
        study = self.make_study()
        actions.revoke_access(study, self.researcher, by=self.admin)
        actions.grant_access(study, self.researcher, by=self.admin)
        self.assertEqual(study.accesses.filter(revoked_at=None).count(), 1)
        self.assertEqual(study.accesses.count(), 2)  # the history stays

    def test_only_researchers_of_the_studys_clinic_can_be_granted_access(self) -> None:
        study = self.make_study(granted=False)
        elsewhere = make_staff(self.other_clinic, "other_researcher", "researcher")
        for person in (self.therapist_a, elsewhere):
            with (
                self.subTest(person=person.full_name),
                self.assertRaisesMessage(actions.StudyRefused, "Only active researchers"),
            ):
                actions.grant_access(study, person, by=self.admin)
        self.sign_in(self.admin)
        response = self.client.post(
            f"/research/studies/{study.pk}/access/",
            {"researcher": elsewhere.pk, "action": "grant"},
            follow=True,
        )
        self.assertContains(response, "Choose one of your clinic")
        self.assertFalse(StudyAccess.objects.exists())

    def test_a_second_grant_says_the_researcher_has_access_already(self) -> None:
        study = self.make_study()
        self.sign_in(self.admin)
        response = self.client.post(
            f"/research/studies/{study.pk}/access/",
            {"researcher": self.researcher.pk, "action": "grant"},
            follow=True,
        )
        self.assertContains(response, "already has access to this study")

    def test_a_researcher_who_lost_the_role_no_longer_opens_the_study(self) -> None:
        study = self.make_study()
        User.objects.filter(pk=self.researcher.pk).update(is_researcher=False)
        self.sign_in(User.objects.get(pk=self.researcher.pk))
        self.assertEqual(self.client.get(f"/research/studies/{study.pk}/").status_code, 404)

    def test_a_researcher_lands_on_their_studies(self) -> None:
        self.sign_in(self.researcher)
        self.assertRedirects(self.client.get("/"), "/research/")


class StudyPageTests(StudyCase):
    def test_it_counts_the_clients_with_an_open_research_consent(self) -> None:
        study = self.make_study()
        consent(self.client_a)
        consent(self.client_b)
        consent(self.client_b, False)
        consent(self.other_client)
        self.sign_in(self.researcher)
        page = self.client.get(f"/research/studies/{study.pk}/")
        self.assertContains(page, "<dd data-consented>1</dd>", html=False)
        self.assertNotContains(page, "Client A")  # counts, never names

    def test_the_codebook_lists_every_column_of_the_studys_tables(self) -> None:
        study = self.make_study()
        self.sign_in(self.researcher)
        page = self.client.get(f"/research/studies/{study.pk}/codebook/")
        for name in study.tables:
            for column in TABLES[name].columns:
                if not column.free_text:
                    self.assertContains(page, f"<code>{column.name}</code>")
        self.assertNotContains(page, 'id="table-goals"')  # not a table of this study

    def test_the_codebook_page_shows_each_columns_range_and_codes(self) -> None:
        study = self.make_study(tables=["prompts", "ratings"])
        self.sign_in(self.researcher)
        page = self.client.get(f"/research/studies/{study.pk}/codebook/").content.decode()
        rating = page.split("<code>value</code>", 1)[1].split("</tr>", 1)[0]
        self.assertIn('<span class="allowed-value">0–100</span>', rating)
        # a prompt's states, each a value of its own, written as the files write them
        self.assertIn(
            '<span class="allowed-value"><code>answered</code></span>, '
            '<span class="allowed-value"><code>snoozed</code></span>',
            page,
        )

    def test_the_codebook_leaves_out_free_text_unless_the_study_includes_it(self) -> None:
        words = [c for c in TABLES["practice_logs"].columns if c.free_text]
        self.assertTrue(words, "the practice logs have free-text columns")
        study = self.make_study()
        self.sign_in(self.researcher)
        url = f"/research/studies/{study.pk}/codebook/"
        self.assertNotContains(self.client.get(url), f"<code>{words[0].name}</code>")
        Study.objects.filter(pk=study.pk).update(include_free_text=True)
        self.assertContains(self.client.get(url), f"<code>{words[0].name}</code>")

    def test_datapackage_json_alone_describes_the_studys_tables(self) -> None:
        study = self.make_study()
        self.sign_in(self.researcher)
        response = self.client.get(f"/research/studies/{study.pk}/datapackage.json")
        self.assertIn("attachment", response["Content-Disposition"])
        package = json.loads(response.content)
        self.assertEqual([r["name"] for r in package["resources"]], [*study.tables, "withdrawn"])
        fields = package["resources"][0]["schema"]["fields"]
        self.assertIn("client_id", [f["name"] for f in fields])

    def test_the_researchers_home_lists_only_their_studies(self) -> None:
        mine = self.make_study()
        other = self.make_study(granted=False, name="Not shared")
        self.sign_in(self.researcher)
        home = self.client.get("/research/")
        self.assertContains(home, mine.name)
        self.assertNotContains(home, other.name)
