"""Slide decks: our scenes replayed as manim-slides presentations, one slide per beat.

A scene marks each beat with ``self.next_section(name)`` and narrates it with
``self.add_subcaption(...)`` (or ``play(..., subcaption=...)``). ``slide_class`` mixes
manim-slides' ``Slide`` in front of the scene class, without editing it: ``Slide`` already turns
``next_section`` into ``next_slide``, and the narration said during a beat becomes that slide's
presenter notes. The deck is then converted with manim-slides' own converters (PowerPoint or
reveal.js HTML) in a private folder and moved into place when complete.

Offline HTML: an HTML deck carries everything it plays with. The videos and the reveal.js files
the page names go into ``<name>_assets/`` beside the page (or into the page itself with
``one_file``), copied from the package's own reveal.js (``scenes/output/reveal.js``, fetched
from the npm registry when the package is built, or by ``make`` for a checkout); nothing is
downloaded when a deck is built. ``reveal_url`` loads reveal.js
from elsewhere instead.

Determinism: a PPTX is a zip whose members carry the time they were written; the deck is
rewritten with fixed times and a fixed member order, so the same command gives the same bytes.
"""

from __future__ import annotations

import functools
import html
import logging
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from rnn.errors import UnrolledError
from rnn.files.atomic import publish

FORMATS = ("pptx", "html")

# The reveal.js the manim-slides 5.7 template is written for (its paths are dist/...): 5.x does not
# fit. Package data, fetched into REVEAL_DIR by tools/fetch_reveal.py (the package's build step,
# or make); decks copy from there.
REVEAL_VERSION = "6.0.1"
REVEAL_DIR = Path(__file__).resolve().parent / "reveal.js"
# Where the page finds reveal.js, relative to its assets folder.
_REVEAL_IN_ASSETS = "reveal.js"
# Zip times before 1980 cannot be stored; the same fixed time for every member of every deck.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


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


def _check_name(name: str) -> None:
    if not name or name in (".", "..") or "/" in name or os.sep in name or "\0" in name:
        raise UnrolledError(f"deck name {name!r}: expected a file name without a folder")


def slide_class(scene_cls: type) -> type:
    """A manim-slides ``Slide`` that plays ``scene_cls``, one slide per ``next_section``.

    The narration added during a beat (``add_subcaption``) becomes the notes of its slide.
    """
    from manim_slides import Slide

    class NarratedSlide(Slide):
        # Reversed videos are only for ``manim-slides present``; decks do not use them.
        skip_reversing = True

        @property
        def _background_color(self) -> str:
            # Scenes may set camera.background_color to a plain hex string (manim accepts it);
            # manim-slides expects a ManimColor.
            from manim import ManimColor

            return ManimColor(self.renderer.camera.background_color).to_hex()

        def _save_slides(self, *args, **kwargs) -> None:
            # a slide's plays are joined keeping their held frames' times (see ``held``)
            from manim_slides.slide import base

            saved = base.concatenate_video_files
            base.concatenate_video_files = _join_slide
            try:
                super()._save_slides(*args, **kwargs)
            finally:
                base.concatenate_video_files = saved

        def add_subcaption(self, content: str, duration: float = 1, offset: float = 0) -> None:
            super().add_subcaption(content, duration=duration, offset=offset)
            # The pending slide config becomes the current beat's slide at the next
            # next_section (or at the end), so its notes collect this beat's narration.
            notes = self._base_slide_config.notes
            self._base_slide_config.notes = f"{notes} {content}".strip()

    return type(scene_cls.__name__, (NarratedSlide, scene_cls), {"__module__": __name__})


def _join_slide(files: list[Path], dest: Path) -> None:
    """manim-slides' ``concatenate_video_files`` for partial movies of held frames."""
    from manim import config
    from manim.scene.scene_file_writer import to_av_frame_rate

    from scenes.output.held import join_movies

    join_movies([str(f) for f in files], dest, to_av_frame_rate(config.frame_rate))


def _inputs(scene_names: Sequence[str], source: Any, theme: str | None) -> list:
    """One SceneInput per scene from a single input, a list of them, or a factory by name."""
    if callable(source):
        inputs = [source(name) for name in scene_names]
    elif isinstance(source, (list, tuple)):
        if len(source) != len(scene_names):
            raise UnrolledError(
                f"deck: {len(source)} scene inputs for {len(scene_names)} scenes"
            )
        inputs = list(source)
    else:
        inputs = [source] * len(scene_names)
    if theme is not None:
        inputs = [replace(inp, theme=theme) if inp is not None else inp for inp in inputs]
    return inputs


def _registry() -> dict:
    from scenes.registry import SCENES

    return SCENES


def build_deck(
    scene_names: Sequence[str],
    scene_input: Any,
    to: str | Sequence[str] = "pptx",
    out_dir: str | Path = Path("media"),
    quality: str = "low",
    theme: str | None = None,
    name: str | None = None,
    one_file: bool = False,
    reveal_url: str | None = None,
    registry: dict | None = None,
    progress: bool = False,
    n_jobs: int | None = 1,
    title: str | None = None,
) -> Path:
    """Render scenes as one slide deck, one slide per beat with its narration as notes.

    Parameters
    ----------
    scene_names
        Scenes in order, keys of ``scenes.registry.SCENES`` (or of ``registry``).
    scene_input
        A ``SceneInput`` for all scenes, one per scene (a list), or ``f(name) -> SceneInput``.
    to
        ``"pptx"`` (videos embedded, notes per slide) or ``"html"`` (reveal.js), or a sequence
        of them: every deck from one rendering of the scenes.
    out_dir
        The deck is written to ``out_dir/<name>.pptx``, or ``<name>.html`` plus
        ``<name>_assets/`` holding the videos and reveal.js (none with ``one_file``).
    quality, theme
        Render quality (low, medium, high, 4k); theme overrides the inputs' theme.
    name
        File stem of the deck; default: the scene names joined by ``-``.
    one_file
        HTML only: embed the videos and reveal.js in the page (larger, but a single file).
    reveal_url
        HTML only: where reveal.js is loaded from instead of the deck's own copy (a URL or a
        relative folder holding ``dist/``).
    registry
        Scenes by name, each with a ``cls``; default ``scenes.registry.SCENES``.
    progress
        Show one overall progress bar on stderr.
    n_jobs
        Scenes rendered at once, each in its own process; None means ``os.cpu_count()``.
    title
        HTML only: the page title (e.g. the lecture's); default: ``name``.

    Returns
    -------
    Path or list of Path
        The deck file (a list, one per format, when ``to`` is a sequence).
    """
    formats = (to,) if isinstance(to, str) else tuple(to)
    for fmt in formats:
        if fmt not in FORMATS:
            raise UnrolledError(f"deck format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if not formats:
        raise UnrolledError("deck: no format to write")
    from scenes.output.render import QUALITIES  # the same names as for videos

    if quality not in QUALITIES:
        raise UnrolledError(f"quality {quality!r}: expected one of {', '.join(QUALITIES)}")
    if not scene_names:
        raise UnrolledError("deck: no scenes to put in it")
    registry = _registry() if registry is None else registry
    unknown = [n for n in scene_names if n not in registry]
    if unknown:
        raise UnrolledError(
            f"unknown scene {unknown[0]!r} (expected one of {', '.join(sorted(registry))})"
        )
    if (one_file or reveal_url is not None) and "html" not in formats:
        raise UnrolledError("one_file and reveal_url apply to HTML decks only")
    if reveal_url is not None:
        reveal_url = check_reveal_url(reveal_url)
    elif "html" in formats:
        reveal_installed()  # before any rendering
    n_jobs = (os.cpu_count() or 1) if n_jobs is None else n_jobs
    if n_jobs < 1:
        raise UnrolledError(f"--jobs must be at least 1, got {n_jobs}")
    inputs = _inputs(scene_names, scene_input, theme)
    name = name or "-".join(scene_names)
    _check_name(name)
    out_dir = Path(out_dir).resolve()  # manim-slides resolves relative paths elsewhere
    out_dir.mkdir(parents=True, exist_ok=True)

    # Private work folder inside out_dir: renders never share a media dir, and the finished
    # deck is moved into place by renames on one filesystem.
    work = Path(tempfile.mkdtemp(prefix=".deck-", dir=out_dir))
    try:
        # One folder per scene: manim-slides keys its files by class name, and a lecture may
        # show the same scene twice with different options.
        tasks = [(registry[n].cls, inp, work / str(k), quality)
                 for k, (n, inp) in enumerate(zip(scene_names, inputs))]
        configs = _render_all(tasks, n_jobs, progress)
        # The assets folder's name is written into the page: a URL, percent-encoded, so a deck
        # name with spaces or quotes stays a plain attribute value; renamed back when published.
        assets_url = quote(f"{name}_assets", safe="")
        decks = []
        for fmt in formats:
            built = work / f"out-{fmt}" / f"{name}.{fmt}"
            _convert(configs, built, fmt, one_file, reveal_url, title=title or name,
                     assets_url=assets_url)
            decks.append(_publish(built, out_dir, built_assets=assets_url,
                                  assets=f"{name}_assets"))
        return decks[0] if isinstance(to, str) else decks
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _render_all(tasks: list, n_jobs: int, progress: bool) -> list:
    """Render every scene's slides (in worker processes if ``n_jobs`` > 1), in order."""
    from manim_slides.config import PresentationConfig

    from scenes.output.batch import ProgressBar, pool_context

    with ProgressBar(len(tasks), progress) as bar:
        if n_jobs == 1 or len(tasks) == 1:
            bar.start()
            paths = []
            for task in tasks:
                paths.append(_render_slides(*task))
                bar.done(task[0].__name__)
        else:
            with ProcessPoolExecutor(min(n_jobs, len(tasks)), mp_context=pool_context()) as pool:
                futures = [pool.submit(_render_slides, *task) for task in tasks]
                bar.start()  # after the workers are forked
                try:
                    for future in as_completed(futures):
                        bar.done(tasks[futures.index(future)][0].__name__)
                except BaseException:
                    for future in futures:
                        future.cancel()
                    raise
                paths = [f.result() for f in futures]
    return [PresentationConfig.from_file(p) for p in paths]


def _render_slides(scene_cls: type, scene_input, work: Path, quality: str) -> Path:
    """Render one scene as slides in ``work``; return the path of its slides JSON."""
    from manim import tempconfig

    from scenes.beats.inputs import get_scene_input, set_scene_input
    from scenes.components.theme import get_theme
    from scenes.output.held import HeldRenderer, HeldWriter
    from scenes.output.render import QUALITIES

    cls = slide_class(scene_cls)
    options = {
        "quality": QUALITIES[quality], "media_dir": str(work / "media"), "format": "mp4",
        "progress_bar": "none", "notify_outdated_version": False, "verbosity": "WARNING",
        "disable_caching": True,
    }
    if scene_input is not None:
        options["background_color"] = get_theme(scene_input.theme).background
    logging.getLogger("manim-slides").setLevel(logging.WARNING)
    previous = get_scene_input()
    set_scene_input(scene_input)
    try:
        with tempconfig(options):
            scene = cls(renderer=HeldRenderer(file_writer_class=HeldWriter),
                        output_folder=work / "slides")
            scene.render()
    finally:
        set_scene_input(previous)
    config_path = work / "slides" / f"{cls.__name__}.json"
    if scene_input is not None and scene_input.narration.voice:
        _narrate_slides(config_path, [spoken for _, _, spoken in scene.narrated])
    return config_path


def _narrate_slides(config_path: Path, spoken: list[str]) -> None:
    """Give each slide's video the voice of its beat.

    manim-slides cuts slides from the silent partial movies; a slide is one beat, which starts
    with its sentence (``beat`` adds the sound at the beat's start), so the beat's cached WAV
    is muxed into the slide's video from its first frame.
    """
    from manim_slides.config import PresentationConfig

    from scenes.beats.voice import say

    slides = PresentationConfig.from_file(config_path).slides
    if len(slides) != len(spoken):
        raise UnrolledError(f"{config_path.stem}: {len(slides)} slides for {len(spoken)} "
                            "narrated beats; cannot give each slide its voice")
    for slide, sentence in zip(slides, spoken):
        mux_audio(Path(slide.file), say(sentence).path)


def mux_audio(video: Path, sound: Path) -> None:
    """Replace ``video`` by itself with ``sound`` as its AAC audio track (video copied as is)."""
    import av

    tmp = video.with_name(f".{video.name}.voiced.mp4")
    try:
        with av.open(str(video)) as src, av.open(str(sound)) as wav, \
                av.open(str(tmp), "w", format="mp4") as out:
            v_in = src.streams.video[0]
            v_out = out.add_stream_from_template(v_in)
            a_in = wav.streams.audio[0]
            a_out = out.add_stream("aac", rate=a_in.rate)
            for packet in src.demux(v_in):
                if packet.dts is None:  # the demuxer's flush packet
                    continue
                packet.stream = v_out
                out.mux(packet)
            for frame in wav.decode(a_in):
                frame.pts = None  # the encoder counts samples from the start
                out.mux(a_out.encode(frame))
            out.mux(a_out.encode(None))
        os.replace(tmp, video)
    finally:
        tmp.unlink(missing_ok=True)


def _convert(configs: list, dest: Path, to: str, one_file: bool, reveal_url: str | None,
             title: str, assets_url: str) -> None:
    from manim_slides.convert import PowerPoint

    dest.parent.mkdir(parents=True)
    if to == "pptx":
        with _quiet_tqdm():
            PowerPoint(presentation_configs=configs).convert_to(dest)
        _set_properties(dest, title)
        _fix_zip_times(dest)
    else:
        _convert_html(configs, dest, one_file, reveal_url, title, assets_url)


def _convert_html(configs: list, dest: Path, one_file: bool, reveal_url: str | None,
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


class _quiet_tqdm:
    """manim-slides' PowerPoint converter prints its own tqdm bar; the command shows ours."""

    def __enter__(self):
        import manim_slides.convert as convert

        self._module, self._real = convert, convert.tqdm
        convert.tqdm = functools.partial(self._real, disable=True)

    def __exit__(self, *exc):
        self._module.tqdm = self._real


def _set_properties(path: Path, title: str) -> None:
    """The deck's own title in its document properties, not python-pptx's template's."""
    import datetime

    from pptx import Presentation

    prs = Presentation(str(path))
    props = prs.core_properties
    props.title, props.last_modified_by, props.author = title, "unrolled", ""
    props.comments = "made with unrolled (manim-slides)"
    # Fixed, like the zip times: a date in the file would change its bytes every run.
    props.created = props.modified = datetime.datetime(2000, 1, 1)
    prs.save(str(path))


def _fix_zip_times(path: Path) -> None:
    """Rewrite the zip at ``path`` with fixed member times and order: the same deck, same bytes."""
    tmp = path.with_name(path.name + ".tmp")
    with zipfile.ZipFile(path) as src:
        infos = src.infolist()
        # [Content_Types].xml first, as Office writes it; the rest by name.
        infos.sort(key=lambda i: (i.filename != "[Content_Types].xml", i.filename))
        with zipfile.ZipFile(tmp, "w") as dst:
            for info in infos:
                fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
                fixed.compress_type = info.compress_type
                fixed.external_attr = 0o644 << 16
                dst.writestr(fixed, src.read(info.filename))
    os.replace(tmp, path)


def _publish(built: Path, out_dir: Path, built_assets: str, assets: str) -> Path:
    """Move the built deck (and its assets folder) into ``out_dir``; the deck file goes last."""
    target = out_dir / built.name
    built_assets = built.parent / built_assets
    if built_assets.is_dir():
        final_assets = out_dir / assets
        old = None
        if final_assets.exists():
            old = built.parent / f".old-{assets}"
            os.replace(final_assets, old)
        os.replace(built_assets, final_assets)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    return publish(built, target)  # never renamed over a device, FIFO or folder


def lecture_deck(lecture, to: str | Sequence[str] = "pptx",
                 out_dir: str | Path = Path("media"), n_jobs: int | None = None,
                 registry: dict | None = None, progress: bool = False,
                 **options: Any) -> Path | list[Path]:
    """The deck of a loaded lecture file: its scenes, inputs, quality and title.

    Written to ``out_dir/<lecture file stem>.<to>`` (one per format when ``to`` is a
    sequence); ``options`` go to ``build_deck`` (e.g. ``one_file``, ``reveal_url``).
    """
    return build_deck(
        lecture.scene_names, lecture.scene_inputs(registry), to=to, out_dir=out_dir,
        quality=lecture.quality, name=lecture.path.stem, title=lecture.title,
        registry=registry, n_jobs=n_jobs, progress=progress, **options,
    )
