"""Stills for articles: the final frame of a scene as PNG, or as true vector SVG / PDF.

Manim has no vector output, but its cairo ``Camera`` only needs a cairo context: given one on
an ``SVGSurface`` or ``PDFSurface``, it draws every VMobject as paths (text included, since
Manim's ``Text`` is already outlines). Images (the heatmaps) are painted by cairo too, as
embedded bitmaps scaled by the surface, with the image's own resampling; point clouds are
refused rather than silently dropped.
"""

from __future__ import annotations

import io
import os
import re
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from xml.sax.saxutils import escape

import cairo
import numpy as np
from manim import RESAMPLING_ALGORITHMS, Camera, Scene, tempconfig

from rnn.errors import UnrolledError
from rnn.files.atomic import atomic_path, check_output_path
from scenes.output.alt_text import Description

FORMATS = ("png", "svg", "pdf")
MIN_WIDTH, MAX_WIDTH = 320, 8000
# A fixed date keeps two renders of the same scene byte-identical
PDF_DATE = "2000-01-01T00:00:00Z"
PX_TO_PT = 72 / 96  # CSS pixels to PDF points, so a 2400 px still is 25 in wide at 96 dpi


class VectorCamera(Camera):
    """A cairo ``Camera`` that draws onto a given surface (vector, or an image for PNG)."""

    def __init__(self, surface: cairo.Surface, scale: float = 1.0, **kwargs):
        super().__init__(**kwargs)
        self.surface = surface
        self.scale = scale  # surface units per pixel (points per pixel for PDF)
        self.ctx = self._frame_context()

    def _frame_context(self) -> cairo.Context:
        # The same frame-to-pixel matrix as Camera.get_cairo_context, times the surface scale
        pw, ph, s = self.pixel_width, self.pixel_height, self.scale
        fw, fh, fc = self.frame_width, self.frame_height, self.frame_center
        ctx = cairo.Context(self.surface)
        ctx.set_matrix(cairo.Matrix(
            s * pw / fw, 0, 0, -s * ph / fh,
            s * (pw / 2 - fc[0] * pw / fw), s * (ph / 2 + fc[1] * ph / fh),
        ))
        return ctx

    def get_cairo_context(self, pixel_array) -> cairo.Context:
        return self.ctx

    def set_cairo_context_color(self, ctx, rgbas, vmobject):
        # Manim reverses RGB for its BGRA pixel buffer; pre-reverse so vectors get true colours
        return super().set_cairo_context_color(ctx, rgbas[:, [2, 1, 0, 3]], vmobject)

    def paint_background(self) -> None:
        r, g, b = self.background_color.to_rgb()
        self.ctx.set_source_rgba(r, g, b, self.background_opacity)
        self.ctx.paint()

    def display_multiple_image_mobjects(self, mobjects, pixel_array=None) -> None:
        for mob in mobjects:
            self._paint_image(mob)

    def _paint_image(self, mob) -> None:
        """Paint an image mobject's pixels onto the parallelogram of its corners."""
        rgba = np.asarray(mob.get_pixel_array(), dtype=np.uint8)  # (h, w, 4)
        h, w = rgba.shape[:2]
        alpha = rgba[..., 3:4].astype(np.uint16)
        # cairo's ARGB32 is premultiplied, BGRA in memory on little-endian machines
        bgra = (rgba[..., [2, 1, 0]].astype(np.uint16) * alpha // 255).astype(np.uint8)
        data = np.ascontiguousarray(np.concatenate([bgra, rgba[..., 3:4]], axis=2))
        image = cairo.ImageSurface.create_for_data(memoryview(data), cairo.FORMAT_ARGB32, w, h)
        ul, ur, dl = (np.asarray(p, dtype=np.float64) for p in mob.points[:3])
        across, down = (ur - ul) / w, (dl - ul) / h  # frame units per image pixel
        ctx = self.ctx
        ctx.save()
        ctx.transform(cairo.Matrix(across[0], across[1], down[0], down[1], ul[0], ul[1]))
        ctx.set_source_surface(image, 0, 0)
        nearest = mob.resampling_algorithm == RESAMPLING_ALGORITHMS["nearest"]
        ctx.get_source().set_filter(cairo.FILTER_NEAREST if nearest else cairo.FILTER_GOOD)
        ctx.rectangle(0, 0, w, h)
        ctx.fill()
        ctx.restore()
        image.finish()

    def _refuse(self, mobjects, pixel_array=None):
        kinds = sorted({type(m).__name__ for m in mobjects})
        raise UnrolledError(f"a vector still cannot hold raster mobjects ({', '.join(kinds)})")

    display_multiple_point_cloud_mobjects = _refuse
    display_multiple_background_colored_vmobjects = _refuse


def _check(fmt: str, width_px: int, path: Path) -> None:
    if fmt not in FORMATS:
        raise UnrolledError(f"unknown still format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if isinstance(width_px, bool) or not isinstance(width_px, int) \
            or not MIN_WIDTH <= width_px <= MAX_WIDTH:
        raise UnrolledError(f"still width must be an integer in {MIN_WIDTH}..{MAX_WIDTH} px, "
                            f"got {width_px!r}")
    folder = path.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        raise UnrolledError(f"cannot write a still into {folder}: not a writable folder")
    check_output_path(path, folder=False)  # never a device, FIFO or folder, checked before drawing


def still_height(width_px: int) -> int:
    """The height of a still ``width_px`` wide: 16:9, like the frame."""
    return round(width_px * 9 / 16)


def save_stills(
    scene: Callable[[], Scene],
    paths: dict[str, str | os.PathLike],
    width_px: int = 2400,
    background: str | None = None,
    description: Description | None = None,
) -> list[Path]:
    """Build a scene once and write its final frame in several formats, e.g. ``{"png": p, ...}``.

    Every format is drawn by cairo from the same final mobjects: PNG on an image surface,
    SVG and PDF on vector surfaces. Each file is written atomically.

    Parameters
    ----------
    scene : a Scene class, or any callable returning a Scene; called inside the render config.
    paths : output file by format (``"png"``, ``"svg"`` or ``"pdf"``); each folder must exist
        and be writable.
    width_px : pixel width (PNG) or nominal width in px (SVG; PDF at 96 dpi); height is 9/16 of it.
    background : a colour (e.g. a theme's background); None keeps Manim's (or the scene's).
    description : the still's alt text, written into every file: SVG ``<title>``, ``<desc>``
        and ``role="img"``; PNG iTXt ``Title`` and ``Description``; PDF title and subject.

    Returns
    -------
    The paths written, in the order of ``paths``. Raises UnrolledError for a bad format, width
    or folder.
    """
    paths = {fmt: Path(p) for fmt, p in paths.items()}
    for fmt, path in paths.items():
        _check(fmt, width_px, path)
    height_px = still_height(width_px)
    data = _render(scene, list(paths), width_px, height_px, background, description)
    for fmt, path in paths.items():
        try:
            with atomic_path(path) as tmp:
                tmp.write_bytes(data[fmt])
        except OSError as err:
            raise UnrolledError(f"cannot write still {path}: {err.strerror or err}") from None
    return list(paths.values())


def _render(scene_factory, fmts: list[str], width: int, height: int,
            background: str | None, description: Description | None) -> dict[str, bytes]:
    # A private media folder per call: parallel renders sharing one collide on texts/*.svg
    with tempfile.TemporaryDirectory(prefix="unrolled-still-") as media:
        settings = {
            "media_dir": media,
            # An absolute name keeps every file manim writes (a scene's .srt) in the private
            # folder; without one, a dry run with subcaptions fails in manim
            "output_file": str(Path(media) / "still"),
            "notify_outdated_version": False,
            "verbosity": "WARNING",
            "progress_bar": "none",
            "disable_caching": True,
            "pixel_width": width,
            "pixel_height": height,
            "frame_width": 8.0 * width / height,  # frame height stays Manim's 8 units
            # No output at all and no frames drawn: animations jump to their end
            "dry_run": True,
            "from_animation_number": sys.maxsize,
        }
        if background is not None:
            settings["background_color"] = background
        with tempconfig(settings):
            scene = scene_factory()
            scene.render()
            return {fmt: _draw(scene, fmt, width, height, description) for fmt in fmts}


def _draw(scene: Scene, fmt: str, width: int, height: int,
          description: Description | None = None) -> bytes:
    """The scene's final mobjects drawn by cairo onto a surface of the format, with the
    description where the format's readers look for it."""
    buffer = io.BytesIO()
    scale = 1.0
    if fmt == "svg":
        surface = cairo.SVGSurface(buffer, width, height)
        surface.set_document_unit(cairo.SVGUnit.PX)
    elif fmt == "pdf":
        scale = PX_TO_PT
        surface = cairo.PDFSurface(buffer, width * scale, height * scale)
        surface.set_metadata(cairo.PDFMetadata.CREATE_DATE, PDF_DATE)
        surface.set_metadata(cairo.PDFMetadata.MOD_DATE, PDF_DATE)
        if description is not None:  # the document information's Title and Subject
            surface.set_metadata(cairo.PDFMetadata.TITLE, description.short)
            surface.set_metadata(cairo.PDFMetadata.SUBJECT, description.long)
    else:
        surface = cairo.ImageSurface(cairo.FORMAT_ARGB32, width, height)
    source = scene.renderer.camera  # its final frame, background and z-ordering
    camera = VectorCamera(
        surface, scale,
        pixel_width=width, pixel_height=height,
        frame_width=source.frame_width, frame_height=source.frame_height,
        frame_center=source.frame_center, use_z_index=source.use_z_index,
        cairo_line_width_multiple=source.cairo_line_width_multiple,
        background_color=source.background_color, background_opacity=source.background_opacity,
    )
    camera.paint_background()
    camera.capture_mobjects(scene.mobjects)
    if fmt == "png":
        surface.flush()
        surface.write_to_png(buffer)
    surface.finish()
    data = buffer.getvalue()
    if fmt == "svg":
        data = _stable_svg_ids(data)
    if description is not None and fmt != "pdf":
        data = (_svg_described if fmt == "svg" else png_described)(data, description)
    return data


def _svg_described(data: bytes, d: Description) -> bytes:
    # <title> and <desc> as the first children of <svg>, which role="img" makes one image
    head = re.search(rb"<svg\b[^>]*>", data)
    if head is None:
        raise UnrolledError("cairo wrote an SVG without an <svg> element")
    svg = head.group(0)[:-1] + b' role="img">'
    text = (f"\n<title>{escape(d.short)}</title>\n<desc>{escape(d.long)}</desc>"
            .encode("utf-8"))
    return data[:head.start()] + svg + text + data[head.end():]


def png_described(data: bytes, d: Description) -> bytes:
    # Pillow writes the same pixels again, with the iTXt chunks the PNG standard names
    from PIL import Image
    from PIL.PngImagePlugin import PngInfo

    info = PngInfo()
    info.add_itxt("Title", d.short, lang="en")
    info.add_itxt("Description", d.long, lang="en")
    out = io.BytesIO()
    with Image.open(io.BytesIO(data)) as image:
        image.save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def _stable_svg_ids(data: bytes) -> bytes:
    """Renumber cairo's process-wide ids (``surface5``, ``image13``) from 1, so bytes repeat."""
    seen: dict[bytes, bytes] = {}

    def renumber(match: re.Match) -> bytes:
        kind = match.group(1)
        count = sum(1 for key in seen if key.startswith(kind))
        return seen.setdefault(match.group(0), b"%s%d" % (kind, count + 1))

    return re.sub(rb"(?<=[\"#])(surface|image)\d+", renumber, data)  # ids, not base64
