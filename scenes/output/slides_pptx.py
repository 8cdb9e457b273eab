"""PowerPoint decks: manim-slides' converter, then the same bytes for the same deck.

A PPTX is a zip whose members carry the time they were written, and its document properties a
date; the deck is rewritten with fixed times, dates and member order, so the same command gives
the same bytes.
"""

from __future__ import annotations

import functools
import os
import zipfile
from pathlib import Path

# Zip times before 1980 cannot be stored; the same fixed time for every member of every deck.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


class _quiet_tqdm:
    """manim-slides' PowerPoint converter prints its own tqdm bar; the command shows ours."""

    def __enter__(self):
        import manim_slides.convert as convert

        self._module, self._real = convert, convert.tqdm
        convert.tqdm = functools.partial(self._real, disable=True)

    def __exit__(self, *exc):
        self._module.tqdm = self._real


def _describe_videos(prs) -> None:
    """Each slide's video described by its narration (the slide's notes): the alternative text
    a screen reader reads for it, as PowerPoint's "Alt Text" pane shows it."""
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    for slide in prs.slides:
        if not slide.has_notes_slide:
            continue
        text = slide.notes_slide.notes_text_frame.text.strip()
        for shape in slide.shapes:
            if text and shape.shape_type == MSO_SHAPE_TYPE.MEDIA:
                shape._element.nvPicPr.cNvPr.set("descr", text)


def _set_properties(path: Path, title: str) -> None:
    """The deck's own title in its document properties, not python-pptx's template's, and its
    videos' descriptions."""
    import datetime

    from pptx import Presentation

    prs = Presentation(str(path))
    _describe_videos(prs)
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


def write_pptx(configs: list, dest: Path, title: str) -> None:
    """The deck of the slides ``configs`` at ``dest``, titled ``title``, reproducible."""
    from manim_slides.convert import PowerPoint

    with _quiet_tqdm():
        PowerPoint(presentation_configs=configs).convert_to(dest)
    _set_properties(dest, title)
    _fix_zip_times(dest)
