from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from django.conf import settings
from django.db.backends.postgresql.creation import DatabaseCreation
from django.test import override_settings
from django.utils import translation
from hypothesis import settings as hypothesis_settings

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page, ViewportSize


REPLICA_MISSING = (
    "Replica tests need DATABASE_REPLICA_URL: a streaming replica of DATABASE_URL "
    "(make test-replica; scripts/pg-replica.sh makes one on 127.0.0.1:5433)."
)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """A replica test without a replica fails in CI and is skipped elsewhere (as browser tests
    without Chromium are): CI must never pass without having proved the routing."""
    if item.get_closest_marker("replica") and "replica" not in settings.DATABASES:
        if os.environ.get("CI"):
            pytest.fail(REPLICA_MISSING)
        pytest.skip(REPLICA_MISSING)


class ReplicaCreation(DatabaseCreation):
    """The replica's test database is the primary's, arriving by replication: creating it there
    would be refused (a replica is read-only), so the replica's connection only learns its name
    (settings: TEST NAME, the primary's). Nothing mirrors default: it connects to the replica."""

    def create_test_db(
        self,
        verbosity: int = 1,
        autoclobber: bool = False,
        serialize: bool = True,
        keepdb: bool = False,
    ) -> str:
        name: str = self.connection.settings_dict["TEST"]["NAME"]
        self.connection.close()
        settings.DATABASES[self.connection.alias]["NAME"] = name
        self.connection.settings_dict["NAME"] = name
        return name

    def destroy_test_db(
        self,
        old_database_name: str | None = None,
        verbosity: int = 1,
        keepdb: bool = False,
        suffix: str | None = None,
    ) -> None:
        self.connection.close()
        if old_database_name is not None:
            settings.DATABASES[self.connection.alias]["NAME"] = old_database_name
            self.connection.settings_dict["NAME"] = old_database_name


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix: None) -> None:
    if "replica" in settings.DATABASES:
        from django.db import connections

        connections["replica"].creation = ReplicaCreation(connections["replica"])


@pytest.fixture(scope="session", autouse=True)
def fast_password_hashing() -> Iterator[None]:
    # Argon2 is slow on purpose; the tests create dozens of accounts. Production keeps Argon2
    # (test_settings checks that).
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def no_language_left_behind() -> Iterator[None]:
    # LocaleMiddleware activates each request's language in the test's thread and nothing
    # deactivates it: a test's last request in German would make the next test German.
    yield
    translation.deactivate()


# Speed belongs in bench/, never in tests: no property example fails for being slow on a loaded
# machine (Hypothesis's default deadline is 200 ms an example).
hypothesis_settings.register_profile("bridgework", deadline=None)
hypothesis_settings.load_profile("bridgework")


CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE_VIEWPORT: ViewportSize = {"width": 390, "height": 844}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, driven by Playwright. Missing Chromium fails in CI, skips elsewhere."""
    if not CHROMIUM.exists():
        message = f"Browser tests need Debian's chromium at {CHROMIUM} (apt-get install chromium)."
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
    # around it are still synchronous, so Django's async-safety guard must stand aside.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def desktop(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    yield context.new_page()
    context.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(
        viewport=PHONE_VIEWPORT, is_mobile=True, has_touch=True, device_scale_factor=2
    )
    yield context.new_page()
    context.close()
