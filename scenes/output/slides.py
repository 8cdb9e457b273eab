"""Slide decks: our scenes replayed as manim-slides presentations, one slide per beat.

A scene marks each beat with ``self.next_section(name)`` and narrates it with
``self.add_subcaption(...)`` (or ``play(..., subcaption=...)``). ``slide_class`` mixes
manim-slides' ``Slide`` in front of the scene class, without editing it: ``Slide`` already turns
``next_section`` into ``next_slide``, and the narration said during a beat becomes that slide's
presenter notes. The rendered slides are then converted with manim-slides' own converters in a
private folder and moved into place when complete: PowerPoint (``slides_pptx``, the same bytes
for the same deck) or reveal.js HTML (``slides_html``, offline).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rnn.errors import UnrolledError
from rnn.files.atomic import publish
from scenes.output.slides_html import (  # noqa: F401 (REVEAL_*: the package's reveal.js)
    REVEAL_DIR,
    REVEAL_VERSION,
    check_html_options,
    check_reveal_url,
    write_html,
)
from scenes.output.slides_pptx import write_pptx
from scenes.output.subtitles import Cue, chapter_title

FORMATS = ("pptx", "html")


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

        def next_section(self, name: str = "unnamed", *args, **kwargs) -> None:
            # a beat, and so a slide, starts here: its captions are timed from this moment
            self.__dict__.setdefault("slide_cues", []).append((self.renderer.time, name, []))
            super().next_section(name, *args, **kwargs)

        def add_subcaption(self, content: str, duration: float = 1, offset: float = 0) -> None:
            super().add_subcaption(content, duration=duration, offset=offset)
            # The pending slide config becomes the current beat's slide at the next
            # next_section (or at the end), so its notes collect this beat's narration.
            notes = self._base_slide_config.notes
            self._base_slide_config.notes = f"{notes} {content}".strip()
            if self.__dict__.get("slide_cues"):  # and its captions, timed within the slide
                start, _, cues = self.slide_cues[-1]
                at = max(self.renderer.time + offset - start, 0.0)
                cues.append(Cue(at, at + duration, content))

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


def _formats(to: str | Sequence[str]) -> tuple[str, ...]:
    formats = (to,) if isinstance(to, str) else tuple(to)
    for fmt in formats:
        if fmt not in FORMATS:
            raise UnrolledError(f"deck format {fmt!r}: expected one of {', '.join(FORMATS)}")
    if not formats:
        raise UnrolledError("deck: no format to write")
    return formats


def _check_scenes(scene_names: Sequence[str], quality: str, registry: dict) -> None:
    from scenes.output.render import QUALITIES  # the same names as for videos

    if quality not in QUALITIES:
        raise UnrolledError(f"quality {quality!r}: expected one of {', '.join(QUALITIES)}")
    if not scene_names:
        raise UnrolledError("deck: no scenes to put in it")
    unknown = [n for n in scene_names if n not in registry]
    if unknown:
        raise UnrolledError(
            f"unknown scene {unknown[0]!r} (expected one of {', '.join(sorted(registry))})"
        )


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
) -> Path | list[Path]:
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
    formats = _formats(to)
    registry = _registry() if registry is None else registry
    _check_scenes(scene_names, quality, registry)
    reveal_url = check_html_options(formats, one_file, reveal_url)  # before any rendering
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
        configs, captions = _render_all(tasks, n_jobs, progress)
        decks = [_write(configs, captions, work, out_dir, fmt, name, title or name, one_file,
                        reveal_url) for fmt in formats]
        return decks[0] if isinstance(to, str) else decks
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _render_all(tasks: list, n_jobs: int, progress: bool) -> tuple[list, list]:
    """Render every scene's slides (in worker processes if ``n_jobs`` > 1), in order: their
    configs, and every slide's captions in the order of the deck."""
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
    configs = [PresentationConfig.from_file(p) for p in paths]
    captions = [cap for p, c in zip(paths, configs)
                for cap in _read_slide_captions(p, len(c.slides))]
    return configs, captions


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
    _write_slide_captions(config_path, scene)
    return config_path


def _write_slide_captions(config_path: Path, scene) -> None:
    """Beside the slides' JSON, each slide's captions (its beat's cues, timed within the slide)
    and its chapter title: what the HTML deck's videos carry as text tracks."""
    import json

    slides = [{"chapter": chapter_title(name), "cues": [[c.start, c.end, c.text] for c in cues]}
              for _, name, cues in getattr(scene, "slide_cues", [])]
    captions_path(config_path).write_text(json.dumps(slides), encoding="utf-8")


def captions_path(config_path: Path) -> Path:
    return config_path.with_name(config_path.stem + ".captions.json")


def _read_slide_captions(config_path: Path, n_slides: int) -> list:
    """The slides' captions written beside ``config_path``, one entry per slide (None where the
    scene's beats and slides do not line up: those slides carry no text track)."""
    import json

    slides = json.loads(captions_path(config_path).read_text(encoding="utf-8"))
    if len(slides) != n_slides:
        return [None] * n_slides
    return [{"chapter": s["chapter"], "cues": [Cue(*c) for c in s["cues"]]} for s in slides]


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


def _write(configs: list, captions: list, work: Path, out_dir: Path, fmt: str, name: str,
           title: str, one_file: bool, reveal_url: str | None) -> Path:
    """Convert the rendered slides to the deck of format ``fmt`` in ``work``, then publish it
    (and its assets folder) in ``out_dir``."""
    # The assets folder's name is written into the page: a URL, percent-encoded, so a deck
    # name with spaces or quotes stays a plain attribute value; renamed back when published.
    assets_url = quote(f"{name}_assets", safe="")
    built = work / f"out-{fmt}" / f"{name}.{fmt}"
    _convert(configs, captions, built, fmt, one_file, reveal_url, title=title,
             assets_url=assets_url)
    return _publish(built, out_dir, built_assets=assets_url, assets=f"{name}_assets")


def _convert(configs: list, captions: list, dest: Path, to: str, one_file: bool,
             reveal_url: str | None, title: str, assets_url: str) -> None:
    """Write the deck of format ``to`` at ``dest`` from the rendered slides ``configs``."""
    dest.parent.mkdir(parents=True)
    if to == "pptx":
        write_pptx(configs, dest, title)
    else:
        write_html(configs, dest, one_file, reveal_url, title, assets_url, captions)


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
