"""axe-core's WCAG 2.1 A and AA rules, run on a page open in Chromium (Playwright).

axe-core is fetched from the npm registry by ``make test`` into ``build/axe-core`` (a test tool,
never part of the package). A page whose Content-Security-Policy refuses other scripts must be
opened in a context made with ``bypass_csp=True`` for axe to be injected.
"""

from __future__ import annotations

from pathlib import Path

AXE = Path(__file__).resolve().parents[1] / "build" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def violations(page) -> list[str]:
    """One line per violated rule: its id, impact and the first offending elements."""
    assert AXE.is_file(), f"{AXE} is missing: make test fetches axe-core (tools/fetch_axe.py)"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", TAGS)
    return [f"{v['id']} ({v['impact']}): " + "; ".join(n["html"][:120] for n in v["nodes"][:3])
            for v in result["violations"]]
