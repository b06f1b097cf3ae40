"""The automated accessibility check the browser tests share: axe-core (vendored for tests
only) run on the page as it stands."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"


def serious_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    results = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def problems_on(page: Page, base_url: str, urls: list[str]) -> dict[str, list[str]]:
    """Serious or critical violations per page, each page checked to have loaded (200)."""
    problems = {}
    for url in urls:
        response = page.goto(base_url + url)
        assert response is not None and response.status == 200, url
        found = serious_violations(page)
        if found:
            problems[url] = found
    return problems
