from __future__ import annotations

from bridgework.test import BaseTestCase


class AppShellTests(BaseTestCase):
    def test_the_manifest_makes_the_app_installable(self) -> None:
        manifest = self.client.get("/manifest.webmanifest").json()
        self.assertEqual((manifest["start_url"], manifest["display"]), ("/me/", "standalone"))
        self.assertEqual({icon["sizes"] for icon in manifest["icons"]}, {"192x192", "512x512"})

    def test_the_service_worker_keeps_only_the_shell_and_static_files(self) -> None:
        script = self.client.get("/sw.js")
        body = script.content.decode()
        self.assertEqual(script["Service-Worker-Allowed"], "/")
        shell = next(line for line in body.splitlines() if line.startswith("const SHELL"))
        self.assertIn('"/me/offline/"', shell)
        self.assertNotIn('"/me/"', shell)
        self.assertNotIn("/me/history", shell)
        self.assertNotIn("cache.put", body)  # nothing fetched later is ever stored

    def test_the_offline_page_holds_no_client_data(self) -> None:
        self.sign_in(self.client_a)
        page = self.client.get("/me/offline/").content.decode()
        self.assertNotIn(self.client_a.full_name, page)
        self.assertNotIn(self.clinic.name, page)

    def test_pages_with_health_data_are_never_stored(self) -> None:
        self.sign_in(self.client_a)
        for url in ("/me/", "/me/history/", "/me/progress/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url)["Cache-Control"], "no-store")
