"""Variable frame rate: a picture that holds still is painted once and encoded once.

manim hands its writer one frame per 1/fps of video (a frozen wait as one frame repeated
``num_frames`` times). Here the writer keeps the picture on hold while the next frames are the
same, and encodes it once, with a timestamp and a duration that cover the whole hold: a
reading-pace hold of four seconds is one frame, not 240. Times are counted in frames (the
stream's time base is 1/fps), so every frame starts exactly where the constant-rate render
shows it; the muxers rescale them (MP4 and MOV keep them exact, WebM rounds to the
millisecond and GIF to the hundredth, as they do for a constant-rate file).

The renderer skips painting a frame whose moving mobjects are drawn exactly as in the frame
before (a fingerprint of what the cairo camera reads), so a hold inside a play costs neither
paint nor encoding. Partial movies (one per play) are joined, into the movie, the section
videos and the slides, by ``join_movies``, which keeps every timestamp.
"""

from __future__ import annotations

import hashlib
import json
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from manim import Mobject, VMobject, config
from manim.camera.camera import Camera
from manim.camera.moving_camera import MovingCamera
from manim.mobject.types.image_mobject import AbstractImageMobject
from manim.mobject.types.point_cloud_mobject import PMobject
from manim.renderer.cairo_renderer import CairoRenderer
from manim.scene.scene_file_writer import (
    SceneFileWriter,
    _PartialMovieEncodeJob,
    to_av_frame_rate,
)
from manim.utils.family import extract_mobject_family_members


def same_picture(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether two frames hold the same pixels (the same array: no comparison at all)."""
    if a is b:
        return True
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    if a.flags.c_contiguous and b.flags.c_contiguous and a.nbytes % 8 == 0:
        # eight bytes at a time: an eighth of the comparisons (1 ms at 1080p)
        return bool(np.array_equal(a.reshape(-1).view(np.uint64), b.reshape(-1).view(np.uint64)))
    return bool(np.array_equal(a, b))


class _HeldJob(_PartialMovieEncodeJob):
    """Encode one play's frames, each run of equal frames as one frame lasting the run."""

    def __init__(self, *args, **kwargs) -> None:
        self.frames = 0  # frames of video given so far (a held frame counts each repeat)
        self.pending: tuple[np.ndarray, int, int] | None = None  # picture, start, length
        self.durations: dict[int, int] = {}  # start -> length of the frames in the encoder
        super().__init__(*args, **kwargs)  # starts the encoder thread: state set up first

    def _encode_and_write_frame(self, frame: np.ndarray, num_frames: int) -> None:
        if self.pending is not None and same_picture(frame, self.pending[0]):
            picture, start, length = self.pending
            self.pending = (picture, start, length + num_frames)
        else:
            self._flush_pending()
            self.pending = (frame, self.frames, num_frames)
        self.frames += num_frames

    def _flush_pending(self) -> None:
        if self.pending is None:
            return
        picture, start, length = self.pending
        self.pending = None
        codec = self.stream.codec_context
        if codec.pix_fmt == "yuv420p":  # wrapped, not copied, then converted once
            video = av.VideoFrame.from_numpy_buffer(picture, format="rgba").reformat(
                format="yuv420p")
        else:  # qtrle's argb, vp9's yuva420p: the encoder converts
            video = av.VideoFrame.from_ndarray(picture, format="rgba")
        video.pts, video.duration = start, length
        video.time_base = 1 / Fraction(codec.framerate)  # times in frames
        self.durations[start] = length
        for packet in self.stream.encode(video):
            self._mux(packet)

    def _mux(self, packet) -> None:
        if packet.pts is not None and packet.pts in self.durations:
            packet.duration = self.durations.pop(packet.pts)  # the encoders leave it 0
        self.container.mux(packet)

    def _listen_and_write(self) -> None:
        # manim's loop, with the last picture of the play flushed before the encoder is
        while True:
            num_frames, frame_data = self.queue.get()
            if frame_data is None:
                break
            if self._exception is not None:
                continue
            try:
                self._encode_and_write_frame(frame_data, num_frames)
            except BaseException as exception:
                self._capture_exception(exception)
        try:
            if self._exception is None:
                self._flush_pending()
            for packet in self.stream.encode():
                self._mux(packet)
        except BaseException as exception:
            self._capture_exception(exception)
        finally:
            try:
                self.container.close()
            except BaseException as exception:
                self._capture_exception(exception)


class HeldWriter(SceneFileWriter):
    """manim's writer at a variable frame rate: one encoded frame per held picture."""

    def open_partial_movie_stream(self, file_path=None) -> None:
        # manim's own opening (scene_file_writer.py), with a job that holds pictures
        if file_path is None:
            file_path = self.partial_movie_files[self.renderer.num_plays]
        path_key = str(file_path)
        if path_key in self._inflight_by_path:
            self._join_job_and_drain_on_failure(self._inflight_by_path[path_key])
        self.partial_movie_file_path = file_path
        codec, pix_fmt = "libx264", "yuv420p"
        # no B-frames: frames are then stored in the order they are shown, and the players
        # and muxers that time a file by its decode stamps (MP4's track duration, ffmpeg's
        # concat) time it right; with a long hold among them, B-frames made a stream's decode
        # stamps end many frames before its picture does
        options = {"an": "1", "crf": "23", "preset": "superfast", "x264-params": "bframes=0"}
        if config.movie_file_extension == ".webm":
            codec, options = "libvpx-vp9", {"an": "1", "crf": "23", "-auto-alt-ref": "1"}
            if config.transparent:
                pix_fmt = "yuva420p"
        elif config.transparent:
            codec, pix_fmt, options = "qtrle", "argb", {"an": "1"}
        container = av.open(file_path, mode="w")
        stream = container.add_stream(codec, rate=to_av_frame_rate(config.frame_rate),
                                      options=options)
        stream.pix_fmt = pix_fmt
        stream.width = config.pixel_width
        stream.height = config.pixel_height
        queue = 0 if config.max_inflight_encoders == 1 else config.encoder_queue_size
        self._current_encode_job = _HeldJob(
            path=file_path, animation_index=self.renderer.num_plays, container=container,
            stream=stream, frame_queue_size=queue)

    def combine_files(self, input_files, output_file: Path, create_gif: bool = False,
                      includes_sound: bool = False) -> None:
        fps = to_av_frame_rate(config.frame_rate)
        if create_gif:
            join_gif(input_files, output_file, fps, config.transparent)
        else:
            join_movies(input_files, output_file, fps,
                        alpha=config.transparent and config.movie_file_extension == ".webm")

    def combine_to_section_videos(self) -> None:
        """manim's section videos and index, the index timed from the frames joined: a
        stream of held frames has no frame rate a demuxer could read back."""
        self.finish_last_section()
        fps = to_av_frame_rate(config.frame_rate)
        alpha = config.transparent and config.movie_file_extension == ".webm"
        index = []
        for section in self.sections:
            if section.video is None:
                continue
            path = self.sections_output_dir / section.video
            frames, pictures = join_movies(section.get_clean_partial_movie_files(), path, fps,
                                           alpha)
            with av.open(str(path)) as container:
                codec = container.streams.video[0].codec_context
                size, name, pix_fmt = (codec.width, codec.height), codec.name, codec.pix_fmt
            rate = Fraction(pictures) * fps / frames if frames else fps
            index.append({"name": section.name, "type": section.type_, "video": section.video,
                          "width": size[0], "height": size[1], "nb_frames": str(pictures),
                          "duration": f"{float(frames / fps):.6f}",
                          "avg_frame_rate": f"{rate.numerator}/{rate.denominator}",
                          "codec_name": name, "pix_fmt": pix_fmt})
        with (self.sections_output_dir / f"{self.output_name}.json").open("w") as file:
            json.dump(index, file, indent=4)


def _frame_of(value: int, time_base: Fraction, fps: Fraction) -> int:
    """A timestamp of a stream as a frame number (exact: times are whole frames)."""
    return round(value * time_base * fps)


def _packets(path: str, fps: Fraction):
    """The video packets of ``path`` with their start and length in frames from its start."""
    container = av.open(str(path))
    stream = container.streams.video[0]
    tb = stream.time_base
    packets = [p for p in container.demux(stream) if p.dts is not None]
    starts = [_frame_of(p.pts, tb, fps) for p in packets]
    first = min(starts, default=0)
    timed = [(p, s - first, _frame_of(p.duration, tb, fps)) for p, s in zip(packets, starts)]
    return container, stream, timed


def join_movies(files, dest: Path, fps: Fraction, alpha: bool = False) -> tuple[int, int]:
    """Join partial movies into ``dest``, packets copied, each file starting where the one
    before ends: every frame keeps its instant and its duration, to the frame.

    Returns the length of the video in frames of ``fps`` and the number of pictures stored.
    """
    tick = Fraction(1) / fps
    opened, timed, offset = [], [], 0
    try:
        for path in files:
            container, stream, packets = _packets(path, fps)
            opened.append((container, stream))
            timed += [(p, offset + start, length) for p, start, length in packets]
            offset += max((start + length for _, start, length in packets), default=0)
        if not opened:
            return 0, 0
        # decode order: the presentation order read ``delay`` packets late (x264's B-frames)
        starts = [start for _, start, _ in timed]
        order = sorted(starts)
        rank = {start: k for k, start in enumerate(order)}
        delay = max((k - rank[s] for k, s in enumerate(starts)), default=0)
        with av.open(str(dest), mode="w") as out:
            out.metadata["comment"] = f"Rendered with Manim Community v{_manim_version()}"
            stream = out.add_stream_from_template(template=opened[0][1])
            if alpha:
                stream.pix_fmt = "yuva420p"
            for k, (packet, start, length) in enumerate(timed):
                packet.pts, packet.duration = start, length
                packet.dts = order[k - delay] if k >= delay else order[0] - (delay - k)
                packet.time_base = tick
                packet.stream = stream
                out.mux(packet)
        return offset, len(timed)
    finally:
        for container, _ in opened:
            container.close()


def join_gif(files, dest: Path, fps: Fraction, transparent: bool) -> None:
    """Join partial movies into a GIF whose frame delays are the holds (manim's palette)."""
    tick = Fraction(1) / fps
    frames, offset = [], 0
    for path in files:
        container, _, packets = _packets(path, fps)
        container.close()
        with av.open(str(path)) as container:
            stream = container.streams.video[0]
            decoded = list(container.decode(stream))
            time_base = stream.time_base  # PyAV 18 refuses a closed container's stream
        starts = [_frame_of(f.pts, time_base, fps) for f in decoded]
        for frame, start in zip(decoded, starts):
            frame.pts, frame.time_base = offset + start - min(starts), tick
            frames.append(frame)
        offset += max((start + length for _, start, length in packets), default=0)
    if not frames:
        return
    # the muxer dates frames in hundredths, rounded; the last one lasts to the end
    last_delay = _centis(offset, fps) - _centis(frames[-1].pts, fps)
    starts = [frame.pts for frame in frames]
    with av.open(str(dest), mode="w", options={"final_delay": str(last_delay)}) as out:
        out.metadata["comment"] = f"Rendered with Manim Community v{_manim_version()}"
        stream = out.add_stream("gif", rate=fps)
        stream.pix_fmt = "pal8" if transparent else "rgb8"
        stream.width, stream.height = frames[0].width, frames[0].height
        graph = av.filter.Graph()  # manim's palette: one for the whole film, from its changes
        with av.open(str(files[0])) as first:  # the buffer takes the partials' colours
            source = graph.add_buffer(template=first.streams.video[0])
        split = graph.add("split")
        palettegen = graph.add("palettegen", "stats_mode=diff")
        paletteuse = graph.add("paletteuse", "dither=bayer:bayer_scale=5:diff_mode=rectangle")
        sink = graph.add("buffersink")
        source.link_to(split)
        split.link_to(palettegen, 0, 0)
        split.link_to(paletteuse, 1, 0)
        palettegen.link_to(paletteuse, 0, 1)
        paletteuse.link_to(sink)
        graph.configure()
        for frame in frames:
            graph.push(frame)
        graph.push(None)
        frames.clear()
        for start in starts:  # paletteuse gives back one frame per frame, in order
            frame = graph.pull()
            frame.pts, frame.time_base = start, tick
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def _centis(frame: int, fps: Fraction) -> int:
    """Frame ``frame``'s start in hundredths of a second, rounded as libav rounds (half up)."""
    return int(Fraction(frame * 100) / fps + Fraction(1, 2))


def _manim_version() -> str:
    import manim

    return manim.__version__


class HeldRenderer(CairoRenderer):
    """manim's cairo renderer that does not paint a frame again when nothing in it moved.

    The key of a frame is a digest of what the camera reads from each mobject it paints
    (points, colours, widths, order) and of the camera's frame; a frame whose key equals the
    one before is the same picture, so the picture already painted is handed on again.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._last_key: bytes | None = None
        self._last_frame: np.ndarray | None = None
        self._backdrops = 0  # changes of the static picture painted under the moving parts
        self._play = None  # the chain camera's plan of the play being painted, kept alive
        self._plays = 0  # plans seen: a new plan is a new still picture under the live parts
        self.painted = self.reused = 0

    def save_static_frame_data(self, scene, static_mobjects):
        self._backdrops += 1
        self._last_key = None
        return super().save_static_frame_data(scene, static_mobjects)

    def render(self, scene, time: float, moving_mobjects=None) -> None:
        key = self._frame_key(scene, moving_mobjects)
        if key is not None and key == self._last_key and self._last_frame is not None:
            self.reused += 1
            self.add_frame(self._last_frame)
            return
        self.update_frame(scene, moving_mobjects)
        frame = self.get_frame()
        self._last_key, self._last_frame = key, frame
        self.painted += 1
        self.add_frame(frame)

    def _frame_key(self, scene, moving_mobjects) -> bytes | None:
        """A digest of everything the camera would paint, or None if it cannot tell."""
        camera = self.camera
        if type(camera) is not Camera and not isinstance(camera, MovingCamera):
            return None  # a camera that may paint more than its mobjects and frame
        mobjects = moving_mobjects or list(scene.mobjects) + list(scene.foreground_mobjects)
        play = getattr(camera, "play", None)
        planned = play is not None and moving_mobjects is getattr(play, "mobjects", None)
        if planned:
            # a chain camera's planned play: its still parts are painted once from tiles and
            # cannot change until the next plan, so only the live parts (flat: each has
            # points) tell frames apart
            if play is not self._play:
                self._play, self._plays = play, self._plays + 1
            mobjects = [*play.chain_live, *play.bands_live]
        digest = hashlib.blake2b(digest_size=20)
        digest.update(repr((self._backdrops, self._plays, self.static_image is None)).encode())
        digest.update(repr((camera.frame_center.tolist(), camera.frame_width,
                            camera.frame_height, str(camera.background_color),
                            camera.background_opacity, id(getattr(camera, "play", None)),
                            )).encode())
        frame = getattr(camera, "frame", None)  # a moving camera's frame: where it looks
        if frame is not None:
            digest.update(np.ascontiguousarray(frame.points, dtype=np.float64).tobytes())
        for mob in (mobjects if planned
                    else extract_mobject_family_members(mobjects, only_those_with_points=True)):
            if not _fingerprint(mob, digest):
                return None
        return digest.digest()


def _fingerprint(mob: Mobject, digest) -> bool:
    """Feed what the cairo camera reads from ``mob`` into ``digest``; False: unknown kind."""
    if isinstance(mob, (PMobject, AbstractImageMobject)):
        return False  # point clouds and images: painted every frame
    if not isinstance(mob, VMobject):
        return True  # the cairo camera paints nothing for a plain Mobject
    digest.update(type(mob).__name__.encode())
    for array in (mob.points, mob.fill_rgbas, mob.stroke_rgbas, mob.background_stroke_rgbas):
        digest.update(np.ascontiguousarray(array, dtype=np.float64).tobytes())
        digest.update(b"|")
    digest.update(repr((mob.stroke_width, mob.background_stroke_width, mob.sheen_factor,
                        np.asarray(mob.sheen_direction).tolist(), mob.z_index,
                        str(mob.joint_type), str(getattr(mob, "cap_style", "")),
                        mob.shade_in_3d)).encode())
    return True
