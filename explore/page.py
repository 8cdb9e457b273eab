"""The page of a Trace: one self-contained HTML string (data, script and style inlined).

The page asks for nothing over the network: its Content-Security-Policy allows no source but
the page's own inline script (by its hash) and style, so even a text that broke out of the
data block could not run or load anything. Text from the trace is JSON-escaped here and put
in the page with ``textContent`` by the script, never parsed as HTML.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from importlib import resources

from explore.data import page_data

THEMES = ("dark", "light")
_MARKERS = ("@@THEME@@", "@@CSP@@", "@@TITLE@@", "@@CSS@@", "@@DATA@@", "@@SCRIPT@@")
# The page's ES modules, each after those it imports; the last is the entry (mount, render).
MODULES = ("arrays.js", "format.js", "dom.js", "model.js", "equations.js", "chain.js",
           "maps.js", "controls.js", "explore.js")
SCRIPT = "explore.js"  # the name the page's script goes by: all of MODULES, joined
_IMPORT = re.compile(r'^import \{[^}]*\} from "\./([\w-]+\.js)";$')


def _file(name: str) -> str:
    return resources.files("explore").joinpath(name).read_text(encoding="utf-8")


def script() -> str:
    """The page's modules joined into one ES module, their imports of each other dropped (one
    module, so the page inlines it under one hash and the widget serves it whole).

    The modules share one scope once joined: a name declared twice at the top of two modules is
    a syntax error, which the tests catch by loading the joined module.
    """
    parts, seen = [], set()
    for name in MODULES:
        lines = []
        for line in _file(name).splitlines():
            if line.startswith("import "):
                found = _IMPORT.match(line)
                if not found or found.group(1) not in seen:
                    raise ValueError(f"{name}: {line!r} is not an import of an earlier module")
                continue
            lines.append(line)
        seen.add(name)
        parts.append(f"// {name}\n" + "\n".join(lines).strip("\n") + "\n")
    return "\n".join(parts)


def asset(name: str) -> str:
    """One of the package's files (the style, the template) as text; ``SCRIPT``, the page's
    whole script (``script()``)."""
    return script() if name == SCRIPT else _file(name)


def script_json(obj) -> str:
    """JSON that cannot close or open a tag inside ``<script>``: ``<``, ``>`` and ``&`` (which
    only occur inside strings) and every non-ASCII character are written as ``\\u`` escapes."""
    text = json.dumps(obj, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _fill(template: str, values: dict[str, str]) -> str:
    """Put each value in place of its marker in one pass, so a value holding a marker's text
    (a trace's text could) is never replaced in turn."""
    out, rest = [], template
    for marker in _MARKERS:
        head, sep, rest = rest.partition(marker)
        if not sep:
            raise ValueError(f"template lacks {marker}")
        out += [head, values[marker]]
    return "".join(out) + rest


def page_html(traces, theme: str = "dark", title: str = "unrolled") -> str:
    """The whole page of a trace (or list of window traces) as one HTML string."""
    if theme not in THEMES:
        raise ValueError(f"theme must be one of {THEMES}, got {theme!r}")
    data = script_json({**page_data(traces, title), "theme": theme})
    script = (asset(SCRIPT) + "\nmount(document.getElementById(\"unrolled-explore\"), "
              "JSON.parse(document.getElementById(\"unrolled-data\").textContent), "
              "{hash: true});\n")
    css = asset("explore.css")
    for text, tag in ((script, "</script"), (css, "</style")):
        if tag in text.lower():
            raise ValueError(f"an inlined asset holds {tag}")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = (f"default-src 'none'; script-src 'sha256-{digest}'; style-src 'unsafe-inline'; "
           "img-src data:; base-uri 'none'; form-action 'none'")
    return _fill(asset("template.html"), {
        "@@THEME@@": theme, "@@CSP@@": csp, "@@TITLE@@": html.escape(title), "@@CSS@@": css,
        "@@DATA@@": data, "@@SCRIPT@@": script,
    })
