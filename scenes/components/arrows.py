"""Error arrows: they point backwards in time, one colour per loss term L(s).

The error that L(s) sends back to h(t) (``trace.error_by_source()[s-1, t-1]``) is drawn as one
arrow per (s, t) with s >= t: down from the output of step s when t = s, otherwise backwards
along lane s from step t+1 to step t. Thickness follows the norm of that error. ``ErrorFlow``
places them on neurons (one path, h); ``PathsErrorFlow`` on heat columns, one path per state.

Colour is not the only cue (WCAG 1.4.1): the arrow down from the output of step s starts
under the term's name ``L(s)``, and a term whose colour an earlier term already has (the
palette repeats along a long chain) draws every arrow in as many dashes as terms of its
colour up to it: L(9) in 2 dashes beside L(1)'s solid line, L(17) in 3.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
from manim import Arrow, Text, VGroup

from scenes.components.panels import light

if TYPE_CHECKING:  # each drawing builds its own flow
    from scenes.components.heat_chain import HeatChain
    from scenes.components.network import UnrolledNetwork

MIN_WIDTH, MAX_WIDTH = 1.5, 8.0
DASH_GAP = 0.6  # a gap between dashes, as a share of a dash
LABEL_GAP = 0.04  # between a term's name and what is above and below it
TERM_LABEL_H = 0.2  # L(s) above a neuron chain's arrow: the height of the losses' values


def arrow_width(magnitude: float, max_magnitude: float) -> float:
    """Stroke width for an error of norm ``magnitude`` (clamped; non-finite draws widest)."""
    if not math.isfinite(magnitude) or not math.isfinite(max_magnitude) or max_magnitude <= 0:
        return MAX_WIDTH if not math.isfinite(magnitude) else MIN_WIDTH
    return MIN_WIDTH + (MAX_WIDTH - MIN_WIDTH) * min(1.0, magnitude / max_magnitude)


class ErrorArrow(Arrow):
    """An arrow carrying the error of loss term ``source`` to step ``step``.

    Parameters
    ----------
    start, end
        Points in scene units.
    source, step
        1-based steps s (the loss term) and t (where the error arrives), s >= t.
    magnitude, max_magnitude
        Norm of the carried error and the norm drawn at full width.
    dashes
        Pieces the shaft is cut into: 1 draws it solid (see ``dash_counts``).
    """

    def __init__(self, start, end, source: int, step: int, magnitude: float,
                 max_magnitude: float, color, dashes: int = 1, **kwargs):
        self.source, self.step, self.magnitude = source, step, float(magnitude)
        self.dashes = dashes
        self.label: Text | None = None  # the term's name, on the arrow where its errors start
        width = arrow_width(self.magnitude, max_magnitude)
        super().__init__(start, end, buff=0, color=color, stroke_width=width, tip_length=0.12,
                         max_stroke_width_to_length_ratio=100, max_tip_length_to_length_ratio=0.5,
                         **kwargs)
        if dashes > 1:
            self._cut(dashes)

    def _cut(self, pieces: int) -> None:
        """The shaft as ``pieces`` dashes (subpaths of its points): scaling, growing and
        dimming treat them as the one line they replace; the tip stays whole."""
        a, b = self.points[0].copy(), self.points[-1].copy()  # the shaft ends at the tip's base
        unit = (b - a) / (pieces + (pieces - 1) * DASH_GAP)
        self.points = np.zeros((0, 3))
        for k in range(pieces):
            p0 = a + k * (1 + DASH_GAP) * unit
            self.start_new_path(p0)
            self.add_line_to(p0 + unit)

    def put_label(self, height: float, ending: bool = False) -> Text:
        """Write ``L(s)`` at the arrow's start, the arrow starting just under it: a part of the
        arrow, it grows, dims and lights up with it. Centred on the arrow, or ``ending`` on
        it (to the left), where the next step's drawing comes close on the right."""
        label = light(Text(f"L({self.source})", font="Monospace", color=self.get_color()))
        label.scale_to_fit_height(height)
        start = self.points[0]
        label.move_to(start).shift([0, -height / 2 - LABEL_GAP, 0])
        if ending:
            label.shift([start[0] + LABEL_GAP - label.get_right()[0], 0, 0])
        below = label.get_bottom()[1] - LABEL_GAP
        self.shift_start(below)
        self.label = label
        self.add(label)
        return label

    def shift_start(self, y: float) -> None:
        """Move a vertical arrow's start to height ``y``, its end and dashes kept in place."""
        top, bottom = self.points[0][1], self.points[-1][1]
        self.points[:, 1] = bottom + (self.points[:, 1] - bottom) * (y - bottom) / (top - bottom)


def dash_counts(colors) -> list[int]:
    """Dashes of each term's arrows: 1 plus the earlier terms drawn in its colour, so no two
    terms of one colour look alike (``colors``: one per term, in order)."""
    seen: dict[str, int] = {}
    counts = []
    for c in colors:
        key = str(c).upper()
        seen[key] = seen.get(key, 0) + 1
        counts.append(seen[key])
    return counts


class ErrorFlow(VGroup):
    """Every ErrorArrow of a trace, reachable by (s, t).

    Parameters
    ----------
    network
        The drawn network (its layout places the arrows).
    norms
        (T, T) norms indexed [s-1, t-1], NaN where s < t: ``trace.error_by_source_norms()``.
    colors
        One colour per source s, e.g. ``theme.source_colors(T)``.
    """

    def __init__(self, network: UnrolledNetwork, norms: np.ndarray, colors, **kwargs):
        super().__init__(**kwargs)
        lay = network.layout
        T = norms.shape[0]
        finite = norms[np.isfinite(norms)]
        top = float(finite.max()) if finite.size else 1.0  # scale for widths, not maths
        self.by_pair: dict[tuple[int, int], ErrorArrow] = {}
        half = lay.row_half_width("h")
        dashes = dash_counts(colors)
        for s in range(1, T + 1):
            for t in range(s, 0, -1):
                mag = norms[s - 1, t - 1]
                if np.isnan(mag):
                    continue
                if t == s:  # from the output of step s down to its hidden layer
                    x = lay.column_x(s) + half + 0.1
                    start = [x, lay.y("o") - lay.half_height("o"), 0]  # a strip is taller
                    end = [x, lay.y("h") + lay.radius * 0.5, 0]
                else:  # backwards in time, in this source's lane
                    y = lay.lane_y(s)
                    start = [lay.column_x(t + 1) - 0.1, y, 0]
                    end = [lay.column_x(t) + 0.1, y, 0]
                arrow = ErrorArrow(start, end, s, t, mag, top, colors[s - 1], dashes[s - 1])
                if t == s:
                    arrow.put_label(TERM_LABEL_H, ending=True)  # V's label is near
                self.by_pair[s, t] = arrow
                self.add(arrow)

    def arriving_at(self, t: int, path: str | None = None) -> list[ErrorArrow]:
        """Arrows that bring an error to h(t), by source (L(t) first); h is the only
        ``path`` of this flow."""
        return [a for (s, tt), a in sorted(self.by_pair.items()) if tt == t]

    def needed_at(self, t: int) -> list[ErrorArrow]:
        """Arrows whose errors step t's gradient needs: every error reaching h(t) is built from
        the errors reaching the later steps, so all arrows at steps t..T, by source."""
        return [a for (s, tt), a in sorted(self.by_pair.items()) if tt >= t]


def norm_scale(*norms: np.ndarray) -> float:
    """Norm drawn at full width: the largest finite one of ``norms`` (a scale, not maths)."""
    finite = np.concatenate([n[np.isfinite(n)] for n in norms])
    return float(finite.max()) if finite.size and finite.max() > 0 else 1.0


class PathsErrorFlow(VGroup):
    """Every error arrow of a chain drawn as heat columns, reachable by path and (s, t).

    ``by_pair["h"][s, t]`` carries ||dL(s)/dh(t)||, ``by_pair["cell"][s, t]`` (a second state)
    ||dL(s)/dcell(t)||: at t = s down from the output (h) or up from h(s) (cell), otherwise
    backwards along loss term s's lane from step t+1 to step t. One width scale for both paths.

    Parameters
    ----------
    chain
        The drawn chain (its geometry places the arrows).
    norms
        path -> (T, T) norms indexed [s-1, t-1], NaN where t > s.
    colors
        One colour per source s.
    """

    def __init__(self, chain: HeatChain, norms: dict[str, np.ndarray], colors, **kwargs):
        super().__init__(**kwargs)
        self.top = norm_scale(*norms.values())
        self.by_pair: dict[str, dict[tuple[int, int], ErrorArrow]] = {p: {} for p in norms}
        T = chain.T
        dashes = dash_counts(colors)
        for path, mags in norms.items():
            for s in range(1, T + 1):
                for t in range(s, 0, -1):
                    mag = mags[s - 1, t - 1]
                    if np.isnan(mag):
                        continue
                    start, end = self._ends(chain, path, s, t)
                    arrow = ErrorArrow(start, end, s, t, mag, self.top, colors[s - 1],
                                       dashes[s - 1])
                    if t == s and path == "h":
                        arrow.put_label(chain.term_label_height)
                    self.by_pair[path][s, t] = arrow
                    self.add(arrow)

    @staticmethod
    def _ends(chain: HeatChain, path: str, s: int, t: int):
        rows = chain.rows
        if t == s and path == "h":  # from the output of step s down to h(s)
            x = chain.side_x(s, 1)
            return [x, chain.cells("yhat", s).get_bottom()[1], 0], [x, rows["h"] + 0.05, 0]
        if t == s:  # from h(s) up into cell(s)
            x = chain.side_x(s, 3)
            return [x, rows["h"], 0], [x, chain.cells(path, s).get_bottom()[1], 0]
        y = chain.lane_y(path, s)
        return ([chain.center_x(t + 1) - 0.15 * chain.col_w, y, 0],
                [chain.center_x(t) + 0.15 * chain.col_w, y, 0])

    def needed_at(self, t: int) -> list[ErrorArrow]:
        """Arrows whose errors step t's gradient needs: those at steps t..T, every path."""
        return [a for p in self.by_pair for (s, tt), a in sorted(self.by_pair[p].items())
                if tt >= t]

    def arriving_at(self, t: int, path: str | None = None) -> list[ErrorArrow]:
        """Arrows bringing an error to ``path``'s state (every path's) at step t, by source
        (L(t) first)."""
        paths = self.by_pair if path is None else (path,)
        return [a for p in paths for (s, tt), a in sorted(self.by_pair[p].items()) if tt == t]
