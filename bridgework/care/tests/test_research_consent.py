"""A client's research consent: its own section in plain words, a page that says what is agreed
(or what withdrawing does) before anything changes, and a message saying what now holds."""

from __future__ import annotations

from bridgework.accounts import actions as accounts
from bridgework.audit.models import AccessEvent
from bridgework.care import actions
from bridgework.care.models import Consent
from bridgework.test import BaseTestCase, user_of

PAGE = "/me/consents/research/"


class ResearchConsentTests(BaseTestCase):
    def give(self) -> None:
        actions.set_consent(
            self.client_a, Consent.Purpose.RESEARCH, True, by=user_of(self.client_a)
        )

    def research_is_open(self) -> bool:
        return Consent.Purpose.RESEARCH in actions.consents_given(self.client_a)

    def test_the_settings_page_explains_research_in_its_own_section_without_jargon(self) -> None:
        self.give()
        self.sign_in(self.client_a)
        page = self.client.get("/me/consents/")
        self.assertContains(page, '<h2 id="research-heading">Research use of your data</h2>')
        self.assertContains(page, "your data carry a code instead")
        self.assertContains(page, "changes nothing about your therapy")
        self.assertContains(page, "researchers are asked to delete them from their copies")
        self.assertContains(page, f'href="{PAGE}">Withdraw my research consent</a>')
        # The reminders' one-tap buttons no longer include research; the history says it plainly.
        self.assertNotContains(page, 'value="research"')
        self.assertContains(page, "Research use of my data, under a code: given")
        self.assertNotContains(page, "pseudonym")

    def test_withdrawing_asks_first_and_changes_nothing_until_confirmed(self) -> None:
        self.give()
        self.sign_in(self.client_a)
        ask = self.client.get(PAGE)
        self.assertContains(ask, "<h1>Withdraw your research consent?</h1>")
        self.assertContains(ask, "You are left out of every later export for research.")
        self.assertContains(ask, "Exports made earlier are deleted from Bridgework")
        self.assertContains(ask, 'name="given" value="no"')
        self.assertContains(ask, 'href="/me/consents/#research">No, keep my consent</a>')
        self.assertTrue(self.research_is_open())

        done = self.client.post(PAGE, {"given": "no"}, follow=True)
        self.assertRedirects(done, "/me/consents/")
        self.assertContains(done, "Done: your research consent is withdrawn.")
        self.assertContains(done, "Your therapy goes on as before.")
        self.assertContains(done, f'href="{PAGE}">Agree to research use</a>')
        self.assertFalse(self.research_is_open())
        grant = Consent.objects.get(client=self.client_a, purpose=Consent.Purpose.RESEARCH)
        self.assertEqual(grant.withdrawn_by, user_of(self.client_a))
        # The trail has the giving and then the withdrawal, both by the client.
        _given, withdrawal = AccessEvent.objects.filter(
            object_type="consent", action=AccessEvent.Action.CHANGE
        ).order_by("pk")
        self.assertEqual(withdrawal.actor_id, user_of(self.client_a).pk)
        self.assertEqual(withdrawal.object_id, f"{self.client_a.pk}:research")
        self.assertEqual(
            withdrawal.changes["values"]["withdrawn_by"], [None, user_of(self.client_a).pk]
        )

    def test_giving_consent_says_what_is_agreed_before_and_after(self) -> None:
        self.sign_in(self.client_a)
        ask = self.client.get(PAGE)
        self.assertContains(ask, "<h1>Agree to research use of your data?</h1>")
        self.assertContains(ask, "They do not get your name, your e-mail address")
        self.assertContains(ask, "Your therapy stays the same whether you agree or not.")
        self.assertFalse(self.research_is_open())

        done = self.client.post(PAGE, {"given": "yes"}, follow=True)
        self.assertContains(done, "Done: you agreed. Researchers your clinic allows may use")
        self.assertContains(done, "yes, researchers may use my data under a code.")
        self.assertTrue(self.research_is_open())
        change = AccessEvent.objects.filter(
            object_type="consent", action=AccessEvent.Action.CHANGE
        ).get()
        self.assertEqual(change.actor_id, user_of(self.client_a).pk)

    def test_a_one_tap_withdrawal_posted_to_the_settings_page_is_sent_to_ask_first(self) -> None:
        self.give()
        self.sign_in(self.client_a)
        response = self.client.post("/me/consents/", {"purpose": "research", "given": "no"})
        self.assertRedirects(response, PAGE, fetch_redirect_response=False)
        self.assertTrue(self.research_is_open())

    def test_a_choice_that_is_neither_yes_nor_no_changes_nothing(self) -> None:
        self.give()
        self.sign_in(self.client_a)
        response = self.client.post(PAGE, {"given": "maybe"})
        self.assertContains(response, "That choice could not be saved. Pick yes or no.")
        self.assertContains(response, "Withdraw your research consent?")
        self.assertTrue(self.research_is_open())

    def test_it_speaks_the_clients_language(self) -> None:
        accounts.set_language(user_of(self.client_a), "de", by=user_of(self.client_a))
        self.sign_in(self.client_a)
        self.assertContains(self.client.get("/me/consents/"), "Forschung mit Ihren Daten")
        self.assertContains(self.client.get(PAGE), "Ihre Daten für die Forschung freigeben?")
        done = self.client.post(PAGE, {"given": "yes"}, follow=True)
        self.assertContains(done, "Erledigt: Sie haben zugestimmt.")
