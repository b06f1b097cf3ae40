"""The automated accessibility checks the browser tests share: axe-core (vendored for tests
only) run on the page as it stands, with every rule axe has for WCAG 2.1 levels A and AA at
every impact; and small probes of what the keyboard reaches and whether a person can see
where it is."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
# axe's tags for the success criteria of WCAG 2.0 and 2.1, levels A and AA, and its own best
# practices (landmarks, heading order, one main), which catch what a screen reader user meets
# first. Minor and moderate findings count as much as serious ones: a missing name is an
# obstacle whatever axe calls it.
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
TAGS = [*WCAG_21_AA, "best-practice"]
# axe leaves out its experimental rules even when their tags are asked for; those for WCAG 2.1
# A/AA (p-as-heading, td-has-header, table-fake-caption, css-orientation-lock) are turned on
# by name, so every rule axe has for those criteria runs.
RUN = """([tags, wcag]) => {
  const rules = {};
  axe.getRules(wcag).filter(r => r.tags.includes("experimental"))
    .forEach(r => { rules[r.ruleId] = {enabled: true}; });
  return axe.run(document, {runOnly: {type: "tag", values: tags}, rules,
                            resultTypes: ["violations"]});
}"""


def wcag_violations(page: Page) -> list[str]:
    """Every violation of WCAG 2.1 A/AA and of axe's best practices found on the page, whatever
    its impact."""
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(RUN, [TAGS, WCAG_21_AA])
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results["violations"]
    ]


# The name the tests used when only serious and critical findings counted; it checks
# everything now, like wcag_violations.
serious_violations = wcag_violations


def problems_on(page: Page, base_url: str, urls: list[str]) -> dict[str, list[str]]:
    """WCAG 2.1 A/AA violations per page, each page checked to have loaded (200)."""
    problems = {}
    for url in urls:
        response = page.goto(base_url + url)
        assert response is not None and response.status == 200, url
        found = wcag_violations(page)
        if found:
            problems[url] = found
    return problems


# What the keyboard's focus is on, and whether a person can see it and reach it: an outline
# or a box shadow drawn (not "none", not zero wide, not transparent), the element's centre not
# covered by anything else (the sticky action bar, a header), and the element on screen.
FOCUSED = """() => {
  let element = document.activeElement;
  while (element && element.shadowRoot && element.shadowRoot.activeElement) {
    element = element.shadowRoot.activeElement;
  }
  if (!element || element === document.body) return null;
  const style = getComputedStyle(element);
  const outline = style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0
    && style.outlineColor !== "rgba(0, 0, 0, 0)";
  const shadow = style.boxShadow !== "none" && style.boxShadow !== "";
  // The focus on a part the browser draws inside a field (a date field's calendar button)
  // leaves the field itself unfocused to CSS; the browser rings that part itself.
  const browsersOwn = !element.matches(":focus");
  const box = element.getBoundingClientRect();
  // The centre of the part on screen: a field half below the window's edge is shown, not
  // hidden (the browser scrolls only a field wholly out of view).
  const x = (Math.max(box.left, 0) + Math.min(box.right, window.innerWidth)) / 2;
  const y = (Math.max(box.top, 0) + Math.min(box.bottom, window.innerHeight)) / 2;
  const onTop = document.elementFromPoint(x, y);
  const bar = document.querySelector(".sticky-actions");
  const barBox = bar && !bar.contains(element) ? bar.getBoundingClientRect() : null;
  const label = element.labels && element.labels.length ? element.labels[0].textContent : "";
  return {
    tag: element.tagName.toLowerCase(),
    type: element.getAttribute("type") || "",
    name: element.getAttribute("name") || "",
    id: element.id || "",
    text: (label || element.getAttribute("aria-label") || element.textContent || element.value
      || "").replace(/\\s+/g, " ").trim().slice(0, 80),
    visibleFocus: outline || shadow || browsersOwn,
    onScreen: box.bottom > 0 && box.top < window.innerHeight && box.width > 0 && box.height > 0,
    covered: !onTop || !(onTop === element || element.contains(onTop)
      || (onTop.tagName === "LABEL" && onTop.control === element)
      || (element.labels && [...element.labels].some(l => l.contains(onTop)))),
    underTheBar: !!barBox && box.bottom > barBox.top && box.top < barBox.bottom
      && box.right > barBox.left && box.left < barBox.right,
  };
}"""


def focused(page: Page) -> dict[str, Any] | None:
    """Where the keyboard's focus is, as FOCUSED describes it; None on the page itself."""
    found: dict[str, Any] | None = page.evaluate(FOCUSED)
    return found


def describe(where: dict[str, Any] | None) -> str:
    if where is None:
        return "the page itself"
    return f"<{where['tag']} {where['type']} {where['name'] or where['id']}> {where['text']!r}"


def focus_problems(where: dict[str, Any] | None) -> list[str]:
    """What is wrong with the focus as found: none for a control a person can see and use."""
    if where is None:
        return []
    problems = []
    if not where["visibleFocus"]:
        problems.append(f"no visible focus on {describe(where)}")
    if not where["onScreen"]:
        problems.append(f"focus off screen on {describe(where)}")
    elif where["covered"] or where["underTheBar"]:
        problems.append(f"{describe(where)} is covered while focused")
    return problems
