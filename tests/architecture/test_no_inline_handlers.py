"""The Content-Security-Policy allows scripts from this site only (``script-src 'self'``), so an
inline event handler (``onclick="…"``, ``onsubmit="return confirm(…)"``) is blocked by the browser:
the 打印 button does nothing and a confirmation is skipped — the form submits unasked. Behaviour
is attached by static/js/actions.js through data attributes instead."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HANDLER = re.compile(r"<[^>]*\s(on[a-z]+)\s*=", re.IGNORECASE)


def test_no_template_carries_an_inline_event_handler():
    found = []
    for path in sorted(ROOT.glob("**/templates/**/*.html")):
        if ".venv" in path.parts:
            continue
        for match in HANDLER.finditer(path.read_text(encoding="utf-8")):
            found.append(f"{path.relative_to(ROOT)}: {match.group(1)}")
    assert found == []
