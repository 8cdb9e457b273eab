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
               title: str, assets_url: str, captions: list | None = None) -> None:
    """The reveal.js page, with its own copy of reveal.js unless ``reveal_url`` is given, and
    each slide's captions and chapter (``captions``, one entry per slide) as its video's text
    tracks."""
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
    page = accessible(dest.read_text(encoding="utf-8"), captions)
    if not local:
        _replace_text(dest, page)
        return
    # Only the files this page names, e.g. dist/reveal.js and its theme: not all of reveal.js.
    needed = sorted(set(re.findall(re.escape(cdn_url) + r'/(dist/[^"\'<>\s]+)', page)))
    source = reveal_installed()
    missing = [rel for rel in needed if not (source / rel).is_file()]
    if missing or not needed:
        raise UnrolledError(f"reveal.js in {source} lacks {missing[0] if missing else 'dist/'}")
    if one_file:
        page = _inline_reveal(page, cdn_url, source)
    _replace_text(dest, page)
    if one_file:
        return
    target = dest.parent / assets_url / _REVEAL_IN_ASSETS
    for rel in needed:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / rel, target / rel)
    # MIT: the copyright and permission notice travel with every copy.
    shutil.copyfile(source / "LICENSE", target / "LICENSE")


def _replace_text(dest: Path, page: str) -> None:
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.write_text(page, encoding="utf-8")
    os.replace(tmp, dest)


# Each slide's video gets its tracks when reveal.js creates it (backgrounds are made lazily);
# under prefers-reduced-motion nothing plays or advances by itself.
_TRACKS_SCRIPT = """<script>
(function () {
  var kinds = [["captions", "captionsVtt", "English", true], ["chapters", "chaptersVtt", "Beats", false]];
  function tracks(slide) {
    var bg = slide.slideBackgroundContentElement;
    var video = bg && bg.querySelector("video");
    if (!video || video.querySelector("track")) return;
    kinds.forEach(function (k) {
      if (!slide.dataset[k[1]]) return;
      var t = document.createElement("track");
      t.kind = k[0]; t.srclang = "en"; t.label = k[2]; t.src = slide.dataset[k[1]];
      if (k[3]) t.default = true;
      video.appendChild(t);
    });
    // captions shown; chapters loaded for players that list them (a disabled track loads none)
    Array.from(video.textTracks).forEach(function (t) {
      t.mode = t.kind === "captions" ? "showing" : "hidden";
    });
  }
  function all() { Reveal.getSlides().forEach(tracks); }
  Reveal.on("ready", function () {
    all();
    new MutationObserver(all).observe(document.querySelector(".reveal .backgrounds"),
                                      {childList: true, subtree: true});
  });
  Reveal.on("slidechanged", all);
  if (window.matchMedia && matchMedia("(prefers-reduced-motion: reduce)").matches) {
    Reveal.configure({autoPlayMedia: false, autoSlide: 0});
  }
})();
</script>
"""


def _data_url(text: str, kind: str = "text/vtt") -> str:
    import base64

    return f"data:{kind};base64," + base64.b64encode(text.encode("utf-8")).decode("ascii")


def accessible(page: str, captions: list | None) -> str:
    """``page`` with its language and a zoomable viewport declared, each slide's captions and
    chapter as data URLs (a page opened from disk cannot load a ``.vtt`` beside it), and the
    script that gives each slide's video its tracks."""
    from scenes.output.subtitles import Cue, format_vtt

    page = page.replace("<html>", '<html lang="en">', 1)
    page = re.sub(r'<meta name="viewport" content="[^"]*">',
                  '<meta name="viewport" content="width=device-width, initial-scale=1.0">',
                  page, count=1)
    sections = list(re.finditer(r"<section(?=\s+data-background-size)", page))
    if captions and len(captions) == len(sections):
        out, last = [], 0
        for match, slide in zip(sections, captions):
            out.append(page[last:match.end()])
            if slide is not None and slide["cues"]:
                end = max(c.end for c in slide["cues"])
                out.append(f' data-captions-vtt="{_data_url(format_vtt(slide["cues"]))}"'
                           f' data-chapters-vtt="'
                           f'{_data_url(format_vtt([Cue(0.0, end, slide["chapter"])]))}"')
            last = match.end()
        page = "".join(out) + page[last:]
    return page.replace("</body>", _TRACKS_SCRIPT + "</body>", 1)


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
