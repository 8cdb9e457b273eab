"""Render a registered scene through manim's Python API into stable file names.

Each call renders in its own temporary media directory, so parallel processes never share
manim's scratch files, and moves finished files into place atomically: a file at
``out_dir/forward.mp4`` is always complete.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
import shutil
import tempfile
import uuid
from pathlib import Path

import av
from manim import tempconfig
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import SceneFileWriter

from rnn.errors import UnrolledError
from rnn.files.atomic import publish
from scenes.beats.inputs import SceneInput, get_scene_input, set_scene_input
from scenes.components.theme import get_theme
from scenes.output.held import HeldRenderer, HeldWriter
from scenes.registry import SCENES

QUALITIES = {"low": "low_quality", "medium": "medium_quality", "high": "high_quality",
             "4k": "fourk_quality"}
FORMATS = ("mp4", "webm", "gif", "mov", "png")
ALPHA_FORMATS = ("mov", "webm", "png")  # mp4 (h264) and gif carry no alpha channel
HELD_X264 = "me=dia:subme=0:trellis=0:scenecut=0"  # x264's analysis for a held frame


class FastWriter(SceneFileWriter):
    """manim's writer with x264's ``superfast`` preset at the same quality target (crf 23).

    These flat-colour frames gain little from the slower presets, and encoding is most of a
    render's work. Measured on forward at 32 steps x 100 units, 1080p60 (the camera travels,
    every frame is new), with frames wrapped rather than copied: wall per second of video
    1.30 (veryfast) -> 1.08, CPU 1.94 -> 1.60;
    forward on "hello": 3.17 MB -> 4.39 MB, the two encodings 40-42 dB PSNR apart.
    """

    def open_partial_movie_stream(self, file_path=None) -> None:
        super().open_partial_movie_stream(file_path)
        # manim 0.21 keeps the stream of the play being encoded here; it opens the codec
        # lazily, at the first frame, so the option still applies
        job = self._current_encode_job
        codec = job.stream.codec_context
        if codec.name == "libx264":
            codec.options = {**codec.options, "preset": "superfast"}
        if codec.pix_fmt == "yuv420p":
            # the encoder thread looks the method up on the job for every frame it takes
            job._encode_and_write_frame = functools.partial(_encode_held, job)


def _encode_held(job, frame, num_frames: int) -> None:
    """Encode ``frame`` ``num_frames`` times, converted to YUV once instead of every time.

    A beat held for its captions is one frame repeated: measured at 1080p, a repeated frame
    costs 47 ms instead of 168 ms, and the bytes are the same.
    """
    codec = job.stream.codec_context
    if num_frames > 1 and not codec.is_open and codec.name == "libx264":
        # a play that only holds one frame: nothing moves, so x264's motion search and
        # scene-cut analysis find nothing; skipping them costs a third less a frame, same
        # size. Decisions only: the stream headers match those of the other plays, so the
        # partial movies are still joined packet by packet
        codec.options = {**codec.options, "x264-params": HELD_X264}
    # the queued frame is the renderer's own copy: wrapped, not copied again (9 ms at 1080p)
    yuv = av.VideoFrame.from_numpy_buffer(frame, format="rgba").reformat(format="yuv420p")
    if num_frames == 1:  # a moving frame: encoded as converted
        frames = [yuv]
    else:  # a frame given to the encoder twice comes out wrong: one new frame each time
        planes = yuv.to_ndarray()
        frames = (av.VideoFrame.from_ndarray(planes, format="yuv420p") for _ in range(num_frames))
    for video_frame in frames:
        for packet in job.stream.encode(video_frame):
            job.container.mux(packet)


def _check(name: str, quality: str, fmt: str, transparent: bool) -> None:
    if name not in SCENES:
        raise UnrolledError(f"unknown scene {name!r}; known scenes: {', '.join(SCENES)}")
    if quality not in QUALITIES:
        raise UnrolledError(f"unknown quality {quality!r}; choose one of {', '.join(QUALITIES)}")
    if fmt not in FORMATS:
        raise UnrolledError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if transparent and fmt not in ALPHA_FORMATS:
        raise UnrolledError(
            f"{fmt} cannot be transparent; use mov or webm for a transparent video"
        )


def _writable_dir(out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out_dir, prefix=".unrolled-probe-")
        probe.close()
    except OSError as err:
        raise UnrolledError(f"cannot write to output directory {out_dir}: {err.strerror}") from None
    return out_dir


def _place(src: Path, dst: Path) -> Path:
    """Move ``src`` to ``dst`` atomically (copy to a hidden name beside it, then rename)."""
    # a name of its own, so that parallel renders into one directory never share it
    tmp = dst.with_name(f".{dst.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    shutil.move(str(src), tmp)  # may cross filesystems: never directly onto dst
    publish(tmp, dst)  # never over a device, FIFO or folder
    return dst


def _config(quality: str, fmt: str, transparent: bool, media: Path, progress: bool,
            background: str) -> dict:
    still = fmt == "png"
    return {
        "quality": QUALITIES[quality],
        "media_dir": str(media),
        "format": "mp4" if still else fmt,
        "transparent": transparent,
        "save_last_frame": still,
        "write_to_movie": not still,
        "save_sections": not still,
        # manim's per-play cache hashes every mobject of every play: measured, that costs more
        # than it saves here; render_scene caches whole renders instead (see cache_dir)
        "disable_caching": True,
        "max_inflight_encoders": 2,  # encode a play while the next one is painted
        "notify_outdated_version": False,  # rendering never asks the network
        "progress_bar": "display" if progress else "none",
        "verbosity": "WARNING",
        "background_color": background,
    }


def render_scene(name: str, scene_input: SceneInput | None = None, quality: str = "low",
                 fmt: str = "mp4", transparent: bool = False, out_dir: Path = Path("media"),
                 progress: bool = True, cache_dir: Path | None = None,
                 constant_rate: bool = False) -> list[Path]:
    """Render scene ``name`` and return every file written.

    Parameters
    ----------
    name
        A key of ``scenes.registry.SCENES``.
    scene_input
        Trace and options; the default model when None.
    quality
        low, medium, high or 4k.
    fmt
        mp4, webm, gif, mov, or png (the last frame only).
    transparent
        Transparent background; only for mov, webm and png.
    out_dir
        Where ``<name>.<fmt>``, ``<name>.srt``, ``<name>.sections.json`` and the section
        videos in ``<name>_sections/`` go.
    progress
        Show manim's progress bars.
    cache_dir
        A folder kept between renders (one per output name): the files of the last render are
        kept there under a key of everything that shapes them (scene, input, quality, format,
        the code of ``rnn/`` and ``scenes/``, manim's version); rendering the same again copies
        them instead. None: no cache.
    constant_rate
        Write every frame at the scene's frame rate, painted each time (the classic file, for
        tools that need a constant rate); by default a picture that holds still is painted
        and encoded once and lasts as long as it holds (see ``held``).

    Raises
    ------
    UnrolledError
        Unknown scene, quality or format, a format without alpha asked to be transparent,
        an unwritable ``out_dir``, or a trace the layout cannot draw.
    """
    _check(name, quality, fmt, transparent)
    out_dir = _writable_dir(Path(out_dir))
    inp = scene_input or get_scene_input()
    if cache_dir is None:
        return _render_fresh(name, inp, quality, fmt, transparent, out_dir, progress,
                             constant_rate)
    entry = Path(cache_dir) / _cache_key(name, inp, quality, fmt, transparent, constant_rate)
    if entry.is_dir():
        return _restore(entry, out_dir)
    written = _render_fresh(name, inp, quality, fmt, transparent, out_dir, progress,
                            constant_rate)
    _store(written, out_dir, entry)
    return written


def _render_fresh(name: str, inp: SceneInput, quality: str, fmt: str, transparent: bool,
                  out_dir: Path, progress: bool, constant_rate: bool = False) -> list[Path]:
    theme = get_theme(inp.theme)
    previous = get_scene_input()
    work = Path(tempfile.mkdtemp(prefix="unrolled-render-"))
    try:
        set_scene_input(inp)
        conf = _config(quality, fmt, transparent, work / "media", progress, theme.background)
        if fmt == "png":
            # without a movie, manim derives the subtitle file name from output_file
            conf["output_file"] = str(work / name)
        with tempconfig(conf):
            if constant_rate or fmt == "png":
                renderer = CairoRenderer(file_writer_class=FastWriter)
            else:
                renderer = HeldRenderer(file_writer_class=HeldWriter)
            scene = SCENES[name].cls(renderer=renderer)
            scene.render()
            writer = scene.renderer.file_writer
            if fmt == "png":
                return described_still(name, drawn_input(scene, name, inp),
                                       Path(writer.image_file_path), out_dir)
            movie = Path(writer.gif_file_path if fmt == "gif" else writer.movie_file_path)
            written = [_place(movie, out_dir / f"{name}.{fmt}")]
            srt = movie.with_suffix(".srt")
            if srt.exists():
                written.append(_place(srt, out_dir / f"{name}.srt"))
            written += _place_sections(Path(writer.sections_output_dir), writer.output_name,
                                       name, out_dir)
            return written
    finally:
        set_scene_input(previous)
        shutil.rmtree(work, ignore_errors=True)


def drawn_input(scene, name: str, inp: SceneInput) -> SceneInput:
    """The input scene ``name`` drew: its board's, or the one its contract prepares when
    ``inp`` was made for another scene (as the scene's setup chose), else ``inp``."""
    board = getattr(scene, "board", None)
    if isinstance(getattr(board, "inp", None), SceneInput):
        return board.inp
    prepare = getattr(getattr(SCENES[name].cls, "contract", None), "prepare", None)
    if prepare is not None and inp.extra.get("scene") != name:
        return prepare({}, theme=inp.theme, values=inp.values)
    return inp


def described_still(name: str, inp: SceneInput, png: Path, out_dir: Path) -> list[Path]:
    """``NAME.png`` with its description inside (iTXt ``Title`` and ``Description``, as the
    figures have) and beside it in ``NAME.alt.txt``, both written from ``inp``'s Trace. A
    scene registered without a story (not one of ours) gets the bare PNG."""
    from scenes.output.alt_stories import SCENE_STORIES, describe_scene
    from scenes.output.still import png_described

    if name not in SCENE_STORIES:
        return [_place(png, out_dir / f"{name}.png")]
    description = describe_scene(name, inp)
    png.write_bytes(png_described(png.read_bytes(), description))
    side = png.with_name(f"{name}.alt.txt")
    side.write_text(description.sidecar(), encoding="utf-8")
    return [_place(side, out_dir / side.name), _place(png, out_dir / f"{name}.png")]


def _cache_key(name: str, inp: SceneInput, quality: str, fmt: str, transparent: bool,
               constant_rate: bool = False) -> str:
    """A digest of everything a render depends on; any change gives another key."""
    import manim

    digest = hashlib.sha256()
    for part in (name, quality, fmt, str(transparent), str(constant_rate), manim.__version__):
        digest.update(part.encode() + b"\0")
    digest.update(pickle.dumps(inp, protocol=5))  # the Trace(s) and options, bit for bit
    root = Path(__file__).resolve().parents[2]
    for source in sorted([*root.glob("rnn/*.py"), *root.glob("scenes/**/*.py")]):
        digest.update(source.read_bytes())
    return digest.hexdigest()[:32]


def _store(written: list[Path], out_dir: Path, entry: Path) -> None:
    """Copy a finished render into ``entry`` (only complete entries ever appear)."""
    tmp = entry.with_name(f".{entry.name}.tmp")
    shutil.rmtree(tmp, ignore_errors=True)
    for path in written:
        dest = tmp / path.relative_to(out_dir)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    for old in entry.parent.iterdir():  # one entry per output name: the newest
        if old != tmp:
            shutil.rmtree(old, ignore_errors=True)
    os.replace(tmp, entry)


def _restore(entry: Path, out_dir: Path) -> list[Path]:
    """The files of a cached render, copied into ``out_dir`` atomically, in the stored order."""
    written = []
    for path in sorted(p for p in entry.rglob("*") if p.is_file()):
        dest = out_dir / path.relative_to(entry)
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
        shutil.copy2(path, tmp)
        publish(tmp, dest)
        written.append(dest)
    for folder in (p for p in entry.iterdir() if p.is_dir()):  # sections of an older render
        keep = {p.name for p in folder.iterdir()}
        for stale in (out_dir / folder.name).iterdir():
            if stale.name not in keep:
                stale.unlink()
    return written


def _place_sections(src_dir: Path, output_name, name: str, out_dir: Path) -> list[Path]:
    """Section videos into ``<name>_sections/`` and their index into ``<name>.sections.json``."""
    index_file = src_dir / f"{output_name}.json"
    if not index_file.exists():
        return []
    index = json.loads(index_file.read_text(encoding="utf-8"))
    target = out_dir / f"{name}_sections"
    target.mkdir(exist_ok=True)
    written, keep = [], set()
    for i, section in enumerate(index):
        new_name = f"{i:03d}{Path(section['video']).suffix}"
        written.append(_place(src_dir / section["video"], target / new_name))
        section["video"] = f"{target.name}/{new_name}"  # relative to out_dir
        keep.add(new_name)
    for stale in target.iterdir():  # sections of an earlier, longer render
        if stale.name not in keep:
            stale.unlink()
    tmp_index = src_dir / "index.json"
    tmp_index.write_text(json.dumps(index, indent=1) + "\n", encoding="utf-8")
    written.append(_place(tmp_index, out_dir / f"{name}.sections.json"))
    return written
