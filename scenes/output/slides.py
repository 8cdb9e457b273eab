"""Slide decks: our scenes replayed as manim-slides presentations, one slide per beat.

A scene marks each beat with ``self.next_section(name)`` and narrates it with
``self.add_subcaption(...)`` (or ``play(..., subcaption=...)``). ``slide_class`` mixes
manim-slides' ``Slide`` in front of the scene class, without editing it: ``Slide`` already turns
``next_section`` into ``next_slide``, and the narration said during a beat becomes that slide's
presenter notes. The deck is then converted with manim-slides' own converters (PowerPoint or
reveal.js HTML) in a private folder and moved into place when complete.

Offline HTML: the videos are local (an assets folder, or embedded with ``one_file``), but
reveal.js itself is loaded from a CDN unless ``reveal_url`` points at a local copy of reveal.js
(a folder holding ``dist/reveal.js``); manim-slides' own ``--offline`` needs network once.
"""

from __future__ import annotations

import html
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import replace
from pathlib import Path
from typing import Any

from rnn.errors import UnrolledError

FORMATS = ("pptx", "html")


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

        def add_subcaption(self, content: str, duration: float = 1, offset: float = 0) -> None:
            super().add_subcaption(content, duration=duration, offset=offset)
            # The pending slide config becomes the current beat's slide at the next
            # next_section (or at the end), so its notes collect this beat's narration.
            notes = self._base_slide_config.notes
            self._base_slide_config.notes = f"{notes} {content}".strip()

    return type(scene_cls.__name__, (NarratedSlide, scene_cls), {"__module__": __name__})


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
    to: str = "pptx",
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
        ``"pptx"`` (videos embedded, notes per slide) or ``"html"`` (reveal.js).
    out_dir
        The deck is written to ``out_dir/<name>.pptx``, or ``<name>.html`` plus
        ``<name>_assets/`` holding the videos (none with ``one_file``).
    quality, theme
        Render quality (low, medium, high, 4k); theme overrides the inputs' theme.
    name
        File stem of the deck; default: the scene names joined by ``-``.
    one_file
        HTML only: embed the videos in the page (larger, but a single file).
    reveal_url
        HTML only: where reveal.js is loaded from (default: a CDN); e.g. a relative folder.
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
    Path
        The deck file.
    """
    if to not in FORMATS:
        raise UnrolledError(f"deck format {to!r}: expected one of {', '.join(FORMATS)}")
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
    if one_file and to != "html" or reveal_url is not None and to != "html":
        raise UnrolledError("one_file and reveal_url apply to HTML decks only")
    n_jobs = (os.cpu_count() or 1) if n_jobs is None else n_jobs
    if n_jobs < 1:
        raise UnrolledError(f"--jobs must be at least 1, got {n_jobs}")
    inputs = _inputs(scene_names, scene_input, theme)
    name = name or "-".join(scene_names)
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
        built = work / "out" / f"{name}.{to}"
        _convert(configs, built, to, one_file, reveal_url, title=title or name)
        return _publish(built, out_dir, assets=f"{name}_assets")
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
            cls(output_folder=work / "slides").render()
    finally:
        set_scene_input(previous)
    return work / "slides" / f"{cls.__name__}.json"


def _convert(configs: list, dest: Path, to: str, one_file: bool, reveal_url: str | None,
             title: str) -> None:
    from manim_slides.convert import PowerPoint, RevealJS

    dest.parent.mkdir(parents=True)
    if to == "pptx":
        converter = PowerPoint(presentation_configs=configs)
    else:
        options: dict[str, Any] = {"one_file": one_file, "title": html.escape(title)}
        if reveal_url is not None:
            options["cdn_url"] = reveal_url
        # The template pastes notes into the page as is; narration like "a < b" must stay text.
        configs = [
            c.model_copy(update={"slides": [
                sl.model_copy(update={"notes": html.escape(sl.notes, quote=False)})
                for sl in c.slides
            ]})
            for c in configs
        ]
        converter = RevealJS(presentation_configs=configs, **options)
    converter.convert_to(dest)


def _publish(built: Path, out_dir: Path, assets: str) -> Path:
    """Move the built deck (and its assets folder) into ``out_dir``; the deck file goes last."""
    target = out_dir / built.name
    built_assets = built.parent / assets
    if built_assets.is_dir():
        final_assets = out_dir / assets
        old = None
        if final_assets.exists():
            old = built.parent / f".old-{assets}"
            os.replace(final_assets, old)
        os.replace(built_assets, final_assets)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    os.replace(built, target)
    return target



def lecture_deck(lecture, to: str = "pptx", out_dir: str | Path = Path("media"),
                 n_jobs: int | None = None, registry: dict | None = None,
                 progress: bool = False, **options: Any) -> Path:
    """The deck of a loaded lecture file: its scenes, inputs, quality and title.

    Written to ``out_dir/<lecture file stem>.<to>``; ``options`` go to ``build_deck``
    (e.g. ``one_file``, ``reveal_url``).
    """
    return build_deck(
        lecture.scene_names, lecture.scene_inputs(registry), to=to, out_dir=out_dir,
        quality=lecture.quality, name=lecture.path.stem, title=lecture.title,
        registry=registry, n_jobs=n_jobs, progress=progress, **options,
    )
