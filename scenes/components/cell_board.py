"""What the scenes of one named cell share: their board and how values go on it.

Every column and number put on the board is recorded under a name, so tests can hold the
picture against the Trace after a dry run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from manim import Arrow, FadeIn, FadeOut, GrowArrow, Mobject, Scene, Text, VGroup

from scenes.components.cell_diagram import CellDiagram, ValueColumn
from scenes.components.panels import light, vector_text
from scenes.components.theme import Theme

PANEL_Y = (-3.0, -3.5)  # the two lines of the readout, under the diagram
PANEL_LEFT = -2.7


@dataclass
class CellBoard:
    """The scene, its input, the diagram and what is on screen."""

    scene: Scene
    inp: object  # scenes.beats.inputs.SceneInput; its extra holds "step", the cell_step dict
    theme: Theme
    diagram: CellDiagram | None = None
    columns: dict[str, ValueColumn] = field(default_factory=dict)  # forward values, by name
    errors: dict[str, ValueColumn] = field(default_factory=dict)  # errors, by name
    labels: dict[str, Text] = field(default_factory=dict)
    arrows: dict[str, Mobject] = field(default_factory=dict)
    panel: VGroup = field(default_factory=VGroup)  # the readout lines now shown
    beats: list[str] = field(default_factory=list)

    @property
    def step(self) -> dict:
        return self.inp.extra["step"]

    def column(self, values, vmax: float) -> ValueColumn:
        return ValueColumn(values, vmax, self.theme, cell_h=self.diagram.cell_h)

    def put(self, key: str, values, vmax: float, where: str, label: str, error: bool = False,
            color=None) -> list:
        """A column of ``values`` at ``where`` with ``label`` over it, recorded under ``key``
        in ``errors`` or ``columns``; returns the animations that show it."""
        col = self.diagram.place(self.column(values, vmax), where, error=error)
        book = self.errors if error else self.columns
        anims = []
        if key in book:
            anims.append(FadeOut(book[key]))
        book[key] = col
        anims.append(FadeIn(col))
        if label:
            text = self.diagram.label(label, col, color=color)
            if where in self.diagram.boxes:  # gate columns hang under their box: label below
                text.next_to(col, direction=[0, -1, 0], buff=0.06)
            old = self.labels.pop(f"{key}:{error}", None)
            if old is not None:
                anims.append(FadeOut(old))
            self.labels[f"{key}:{error}"] = text
            anims.append(FadeIn(text))
        return anims

    def readout(self, *lines) -> list:
        """Replace the readout with ``lines``: strings, or (label, values) pairs printed
        as vectors of Trace values."""
        anims = [FadeOut(m) for m in self.panel]
        new = VGroup()
        for k, line in enumerate(lines):
            if isinstance(line, str):
                mob = light(Text(line, font="Sans", color=self.theme.text))
                mob.scale_to_fit_height(0.2)
            else:
                mob = VGroup(*[vector_text(values, self.theme, label=label, font_size=18)
                               for label, values in line])
                mob.arrange(direction=[1, 0, 0], buff=0.3)
                mob.scale_to_fit_height(0.2)
            if mob.width > 9.6:
                mob.scale_to_fit_width(9.6)
            mob.move_to([0, PANEL_Y[k], 0]).align_to([PANEL_LEFT, 0, 0], direction=[-1, 0, 0])
            new.add(mob)
        self.panel = new
        return anims + [FadeIn(m) for m in new]

    def light_gates(self, *names: str) -> list:
        """Animations lighting the boxes of gates ``names``."""
        return [self.diagram.boxes[n].rect.animate.set_fill(self.theme.recurrent, opacity=0.35)
                for n in names]

    def dim_gates(self) -> list:
        return [box.rect.animate.set_fill(self.theme.background, opacity=1.0)
                for box in self.diagram.boxes.values()]

    def error_arrow(self, name: str) -> GrowArrow:
        """Growing an arrow along the diagram's error path ``name``, recorded in ``arrows``."""
        start, end = self.diagram.back_path(name)
        arrow = Arrow(start, end, buff=0, color=self.theme.positive, stroke_width=5,
                      tip_length=0.2, max_tip_length_to_length_ratio=0.5,
                      max_stroke_width_to_length_ratio=20)
        self.arrows[name] = arrow
        return GrowArrow(arrow)
