"""axe-core inside the Playwright tests: the vendored engine (tests/browser/vendor/axe.min.js,
axe-core 4.10.3 from the npm registry, MPL-2.0) is evaluated in the page, never fetched.

The pages' CSP allows only the portal's own scripts, so the engine is evaluated through the
DevTools protocol (``page.evaluate``), which the page's policy does not govern.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

AXE = Path(__file__).with_name("vendor") / "axe.min.js"
BLOCKING = ("serious", "critical")


@cache
def _source() -> str:
    # Wrapped so the file's UMD prelude sees ``window`` and leaves ``window.axe`` behind.
    return "(() => { " + AXE.read_text(encoding="utf-8") + "\n; return typeof window.axe; })()"


def axe_violations(page, *, impacts=BLOCKING) -> list[dict]:
    """Run axe (WCAG 2.x A/AA rules) on the page as it is now; the violations of ``impacts``."""
    if page.evaluate("typeof window.axe") != "object":
        assert page.evaluate(_source()) == "object", "axe-core did not load"
    result = page.evaluate(
        """async () => {
            const r = await window.axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
                resultTypes: ["violations"],
            });
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " :: " + n.failureSummary),
            }));
        }"""
    )
    return [v for v in result if v["impact"] in impacts]


def report(found: dict[str, list[dict]]) -> str:
    """Every serious or critical violation, page by page, for the assertion message."""
    lines = ["axe found serious/critical violations:"]
    for label, violations in found.items():
        for v in violations:
            lines.append(f"- {label} [{v['impact']}] {v['id']}: {v['help']}")
            lines.extend(f"    {node}" for node in v["nodes"])
    return "\n".join(lines)
