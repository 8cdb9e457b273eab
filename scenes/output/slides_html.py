"""HTML decks: manim-slides' reveal.js page, offline unless told where reveal.js is.

An HTML deck carries everything it plays with. The videos and the reveal.js files the page
names go into ``<name>_assets/`` beside the page (or into the page itself with ``one_file``),
copied from the package's own reveal.js (``scenes/output/reveal.js``, fetched from the npm
registry when the package is built, or by ``make`` for a checkout); nothing is downloaded when a
deck is built. ``reveal_url`` loads reveal.js from elsewhere instead.
"""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path
from urllib.parse import urlsplit

from rnn.errors import UnrolledError

# The reveal.js the manim-slides 5.7 template is written for (its paths are dist/...): 5.x does not
# fit. Package data, fetched into REVEAL_DIR by tools/fetch_reveal.py (the package's build step,
# or make); decks copy from there.
REVEAL_VERSION = "6.0.1"
REVEAL_DIR = Path(__file__).resolve().parent / "reveal.js"
# Where the page finds reveal.js, relative to its assets folder.
_REVEAL_IN_ASSETS = "reveal.js"


def reveal_installed() -> Path:
    """The folder of the local reveal.js, or one clear error saying how to get it."""
    if not (REVEAL_DIR / "dist" / "reveal.js").is_file():
        raise UnrolledError(
            f"reveal.js {REVEAL_VERSION} is not installed in {REVEAL_DIR}: install unrolled "
            "with npm on the PATH (its build fetches it), or run make in a checkout, "
            "or give --reveal-url"
        )
    return REVEAL_DIR


def check_reveal_url(url: str) -> str:
    """``url`` if it is a plain http(s), file or relative URL, safe inside an HTML attribute.

    Refuses quotes, angle brackets, backslashes, spaces and control characters (which could end
    the attribute or the tag), braces (manim-slides formats the URL) and any other scheme
    (``javascript:``, ``data:``).
    """
    bad = [c for c in url if c in "\"'<>`\\{}" or c.isspace() or not c.isprintable()]
    if not url or bad:
        raise UnrolledError(f"--reveal-url {url!r}: not a URL (it contains {bad[0]!r})"
                            if bad else "--reveal-url: empty")
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:  # e.g. an unclosed IPv6 host
        scheme = None
    if scheme not in ("", "http", "https", "file"):
        raise UnrolledError(f"--reveal-url {url!r}: expected an http(s), file or relative URL")
    return url.rstrip("/")


def check_html_options(formats: tuple[str, ...], one_file: bool,
                       reveal_url: str | None) -> str | None:
    """``reveal_url`` checked (or, for an HTML deck without it, the local reveal.js found),
    before anything is rendered; one_file and reveal_url apply to HTML decks only."""
    if (one_file or reveal_url is not None) and "html" not in formats:
        raise UnrolledError("one_file and reveal_url apply to HTML decks only")
    if reveal_url is not None:
        return check_reveal_url(reveal_url)
    if "html" in formats:
        reveal_installed()
    return None


def write_html(configs: list, dest: Path, one_file: bool, reveal_url: str | None,
               title: str, assets_url: str) -> None:
    """The reveal.js page, with its own copy of reveal.js unless ``reveal_url`` is given."""
    from manim_slides.convert import RevealJS

    # Everything the template pastes into the page unescaped is escaped here (title, notes) or
    # built by us (the assets folder's URL) or validated (reveal_url).
    local = reveal_url is None
    cdn_url = html.escape(reveal_url) if not local else f"{assets_url}/{_REVEAL_IN_ASSETS}"
    # The template pastes notes into the page as is; narration like "a < b" must stay text.
    configs = [
        c.model_copy(update={"slides": [
            sl.model_copy(update={"notes": html.escape(sl.notes, quote=False)})
            for sl in c.slides
        ]})
        for c in configs
    ]
    converter = RevealJS(presentation_configs=configs, one_file=one_file, cdn_url=cdn_url,
                         title=html.escape(title), assets_dir=assets_url,
                         reveal_version=REVEAL_VERSION)
    converter.convert_to(dest)
    if not local:
        return
    page = dest.read_text(encoding="utf-8")
    # Only the files this page names, e.g. dist/reveal.js and its theme: not all of reveal.js.
    needed = sorted(set(re.findall(re.escape(cdn_url) + r'/(dist/[^"\'<>\s]+)', page)))
    source = reveal_installed()
    missing = [rel for rel in needed if not (source / rel).is_file()]
    if missing or not needed:
        raise UnrolledError(f"reveal.js in {source} lacks {missing[0] if missing else 'dist/'}")
    if one_file:
        page = _inline_reveal(page, cdn_url, source)
        tmp = dest.with_name(dest.name + ".tmp")
        tmp.write_text(page, encoding="utf-8")
        os.replace(tmp, dest)
        return
    target = dest.parent / assets_url / _REVEAL_IN_ASSETS
    for rel in needed:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target / rel)
    # MIT: the copyright and permission notice travel with every copy.
    shutil.copyfile(source / "LICENSE", target / "LICENSE")


def _inline_reveal(page: str, cdn_url: str, source: Path) -> str:
    """``page`` with reveal.js's stylesheets and scripts written into it instead of linked."""
    prefix = re.escape(cdn_url)

    def text(rel: str, closing: str) -> str:
        # A closing tag inside the inlined text would end the element early; "<\/" reads the
        # same in JavaScript strings and CSS.
        content = (source / rel).read_text(encoding="utf-8")
        return re.sub(f"</({closing})", r"<\\/\1", content, flags=re.IGNORECASE)

    page = re.sub(f'<link rel="stylesheet" href="{prefix}/(dist/[^"]+)">',
                  lambda m: f"<style>\n{text(m.group(1), 'style')}\n</style>", page)
    page = re.sub(f'<script src="{prefix}/(dist/[^"]+)"></script>',
                  lambda m: f"<script>\n{text(m.group(1), 'script')}\n</script>", page)
    if cdn_url in page:
        raise UnrolledError("deck: the page names reveal.js in a way that could not be inlined")
    return page
