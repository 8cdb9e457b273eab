"""Batch rendering: many scenes, in parallel processes, split across machines with shards.

Each scene renders in its own process and its own staging folder (manim's media folders are
not safe to share). A finished scene's files are renamed into ``out_dir`` one by one, each
rename atomic, so an interrupted batch never leaves a half-written file where a finished one
is expected. Captions (``.vtt``) and chapters (``.chapters.vtt``) are made beside each video.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from rnn.errors import UnrolledError
from rnn.files.atomic import check_output_folder, check_output_path, publish
from rnn.limits import Range
from scenes.output.subtitles import srt_to_vtt, write_chapters

T = TypeVar("T")
_VIDEO_SUFFIXES = {".mp4", ".mov", ".webm", ".gif", ".png"}
JOBS = Range(int, 1, 64, reason="processes; each holds a renderer")  # --jobs of every command
CACHE = ".cache"  # inside out_dir: manim's reusable partial movies, one folder per scene
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


def parse_shard(text: str) -> tuple[int, int]:
    """``"I/N"`` -> ``(I, N)``: shard I (1-based) of N."""
    match = _SHARD.match(str(text))
    if not match:
        raise UnrolledError(f"shard {text!r}: expected I/N, e.g. 1/3")
    i, n = int(match.group(1)), int(match.group(2))
    if n < 1:
        raise UnrolledError(f"shard {text!r}: the number of shards must be at least 1")
    if not 1 <= i <= n:
        raise UnrolledError(f"shard {text!r}: I must be between 1 and {n}")
    return i, n


def shard(items: Sequence[T], i: int, n: int) -> list[T]:
    """The i-th (1-based) of n contiguous slices of ``items``; sizes differ by at most one."""
    if n < 1 or not 1 <= i <= n:
        raise UnrolledError(f"shard {i}/{n}: expected 1 <= I <= N")
    size = len(items)
    return list(items[(i - 1) * size // n : i * size // n])


def unique_stems(names: Sequence[str]) -> list[str]:
    """Output names for scenes in order; a repeated scene gets ``-2``, ``-3``, ..."""
    seen: dict[str, int] = {}
    stems = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        stems.append(name if seen[name] == 1 else f"{name}-{seen[name]}")
    return stems


@dataclass(frozen=True)
class RenderJob:
    """One scene to render and the stem of its output files."""

    name: str  # a key of scenes.registry.SCENES
    scene_input: Any  # a scenes.beats.inputs.SceneInput (picklable: numpy arrays and plain data)
    stem: str = ""  # output files are <stem>.mp4, <stem>.srt, ...; default: the name
    quality: str = "low"
    fmt: str = "mp4"
    transparent: bool = False
    constant_rate: bool = False  # every frame at the frame rate (see render_scene)

    @property
    def output_stem(self) -> str:
        return self.stem or self.name


def _default_render(*args, **kwargs) -> list[Path]:
    from scenes.output.render import render_scene

    return render_scene(*args, **kwargs)


def _render_one(job: RenderJob, staging: Path, render: Callable[..., list[Path]],
                cache_root: Path) -> list[Path]:
    """Render ``job`` into ``staging`` (private to it) and add captions and chapters.

    Manim's partial movies are kept in ``cache_root/<stem>`` (one folder per job, so parallel
    workers never share one) and reused when the same scene is rendered again.
    Returns the files and folders to publish (``<name>.mp4``, ``<name>_sections/``, ...).
    """
    staging.mkdir(parents=True)
    render(
        job.name, job.scene_input, quality=job.quality, fmt=job.fmt,
        transparent=job.transparent, out_dir=staging, progress=False,
        cache_dir=cache_root / job.output_stem, constant_rate=job.constant_rate,
    )
    for srt in staging.glob("*.srt"):
        srt_to_vtt(srt)
    for sections in staging.glob("*.sections.json"):
        _restem_sections(sections, job)
        write_chapters(sections)
    return sorted(p for p in staging.iterdir() if not p.name.startswith("."))


def _restem_sections(index: Path, job: RenderJob) -> None:
    """Point the section videos of the index at ``<stem>_sections/`` when stem != name."""
    if job.output_stem == job.name:
        return
    sections = json.loads(index.read_text(encoding="utf-8"))
    old, new = f"{job.name}_sections/", f"{job.output_stem}_sections/"
    for section in sections:
        video = section.get("video") if isinstance(section, dict) else None
        if isinstance(video, str) and video.startswith(old):
            section["video"] = new + video[len(old):]
    index.write_text(json.dumps(sections, indent=1) + "\n", encoding="utf-8")


def _publish_order(path: Path) -> tuple[int, str]:
    # Folders, then captions and indexes, then the video: a video on disk has all the rest.
    return (0 if path.is_dir() else 2 if path.suffix in _VIDEO_SUFFIXES else 1, path.name)


def _publish(job: RenderJob, entries: list[Path], out_dir: Path) -> list[Path]:
    """Rename a finished job's files and folders into ``out_dir`` under its stem.

    Each rename is atomic; a folder replacing an older one swaps the old one out first.
    """
    published = []
    for entry in sorted(entries, key=_publish_order):
        name = entry.name
        rest = name[len(job.name):] if name.startswith(job.name) else "." + name
        target = out_dir / f"{job.output_stem}{rest}"
        if entry.is_dir():
            if target.is_symlink() or (target.exists() and not target.is_dir()):
                raise UnrolledError(f"output {target} exists and is not a folder; "
                                    "refusing to replace it")
            if target.exists():
                old = entry.with_name(f".old-{name}")
                os.replace(target, old)  # removed with the staging folder
            os.replace(entry, target)
        else:
            publish(entry, target)  # never over a device, FIFO or folder
        published.append(target)
    return published


def pool_context():
    # fork starts workers without re-importing manim (about a second each); spawn elsewhere.
    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if "fork" in methods else "spawn")


OUTPUT_SUFFIXES = (".srt", ".vtt", ".sections.json", ".chapters.vtt",
                   ".alt.txt")  # a still's description beside it


def check_targets(jobs: Sequence[RenderJob], out_dir: str | Path) -> None:
    """Refuse, before rendering, jobs whose output names exist and are not regular files."""
    out_dir = Path(out_dir)
    for job in jobs:
        for suffix in (f".{job.fmt}", *OUTPUT_SUFFIXES):
            check_output_path(out_dir / f"{job.output_stem}{suffix}", folder=False)
        sections = out_dir / f"{job.output_stem}_sections"
        if sections.is_symlink() or (sections.exists() and not sections.is_dir()):
            raise UnrolledError(f"output {sections} exists and is not a folder; "
                                "refusing to replace it")


def render_jobs(
    jobs: Sequence[RenderJob],
    n_jobs: int | None = None,
    out_dir: str | Path = Path("media"),
    progress: bool = True,
    render: Callable[..., list[Path]] | None = None,
) -> dict[str, list[Path]]:
    """Render independent scenes, ``n_jobs`` at a time, into ``out_dir``.

    Parameters
    ----------
    jobs
        The scenes, in order; their output stems must differ (see ``unique_stems``).
    n_jobs
        Processes to use; default ``os.cpu_count()``. With 1, everything runs in this process.
    out_dir
        Where finished files land: ``<stem>.mp4``, ``.srt``, ``.vtt``, ``.sections.json``,
        ``.chapters.vtt``.
    progress
        Show one overall progress bar on stderr.
    render
        ``render_scene``-compatible function (default ``scenes.output.render.render_scene``);
        it must be a module-level function so worker processes can receive it.

    Returns
    -------
    dict
        The published files of each job, by output stem, in job order.
    """
    render = render or _default_render
    stems = [job.output_stem for job in jobs]
    if len(set(stems)) != len(stems):
        dup = next(s for s in stems if stems.count(s) > 1)
        raise UnrolledError(f"two scenes would both write {dup}.*; give them different stems")
    n_jobs = (os.cpu_count() or 1) if n_jobs is None else n_jobs
    if n_jobs < 1:
        raise UnrolledError(f"--jobs must be at least 1, got {n_jobs}")
    out_dir = check_output_folder(out_dir)
    check_targets(jobs, out_dir)
    # Staging lives inside out_dir so publishing is a rename on one filesystem.
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out_dir))
    results: dict[str, list[Path]] = {}
    try:
        with ProgressBar(len(jobs), progress) as bar:
            if n_jobs == 1 or len(jobs) <= 1:
                bar.start()
                for k, job in enumerate(jobs):
                    files = _render_one(job, staging / str(k), render, out_dir / CACHE)
                    results[job.output_stem] = _publish(job, files, out_dir)
                    bar.done(job.output_stem)
            else:
                _run_pool(jobs, min(n_jobs, len(jobs)), staging, render, out_dir, results, bar)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return {stem: results[stem] for stem in stems}


def _run_pool(jobs, workers, staging, render, out_dir, results, bar) -> None:
    pool = ProcessPoolExecutor(max_workers=workers, mp_context=pool_context())
    try:
        pending: dict[Future, RenderJob] = {
            pool.submit(_render_one, job, staging / str(k), render, out_dir / CACHE): job
            for k, job in enumerate(jobs)
        }
        # Workers are forked at the first submit; the bar's refresh thread starts after them.
        bar.start()
        while pending:
            finished, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in finished:
                job = pending.pop(future)
                files = future.result()  # re-raises the worker's error, here
                results[job.output_stem] = _publish(job, files, out_dir)
                bar.done(job.output_stem)
    except BaseException:
        # Ctrl-C or a failed scene: drop queued work; running workers see the same SIGINT.
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


class ProgressBar:
    """One overall bar on stderr (rich), or nothing."""

    def __init__(self, total: int, enabled: bool):
        self.total, self.enabled, self._bar = total, enabled, None

    def __enter__(self) -> ProgressBar:
        return self

    def start(self) -> None:
        if self.enabled and self._bar is None:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeElapsedColumn,
            )

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeElapsedColumn(), console=Console(file=sys.stderr), transient=True,
            )
            self._bar.start()
            self._task = self._bar.add_task("Rendering", total=self.total)

    def done(self, stem: str) -> None:
        if self._bar is not None:
            self._bar.update(self._task, advance=1, description=f"Rendered {stem}")

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()
