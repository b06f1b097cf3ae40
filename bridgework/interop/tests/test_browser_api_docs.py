"""The API's documentation page in headless Chromium: Swagger UI from the app's own static
files, under the app's Content Security Policy."""

from __future__ import annotations

import pytest
from playwright.sync_api import ConsoleMessage, Page, Request, expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_docs_page_shows_the_operations_from_our_origin_alone(
    live_server, desktop: Page
) -> None:
    complaints: list[str] = []
    elsewhere: list[str] = []

    def heard(message: ConsoleMessage) -> None:
        if message.type == "error":
            complaints.append(message.text)

    def asked(request: Request) -> None:
        if not request.url.startswith(live_server.url) and not request.url.startswith("data:"):
            elsewhere.append(request.url)

    desktop.on("console", heard)
    desktop.on("request", asked)
    response = desktop.goto(f"{live_server.url}/api/v1/docs")
    assert (
        response is not None and "script-src 'self'" in response.headers["content-security-policy"]
    )
    expect(desktop.get_by_text("/api/v1/clients", exact=True).first).to_be_visible()
    expect(desktop.get_by_text("/api/v1/practice-logs", exact=True).first).to_be_visible()
    assert elsewhere == []
    assert [text for text in complaints if "Content Security Policy" in text] == []
