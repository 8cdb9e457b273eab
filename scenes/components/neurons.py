"""A neuron: a circle whose fill shows a Trace value, optionally with the number printed inside."""

from __future__ import annotations

from manim import Circle, ReplacementTransform, Text, Transform, VGroup

from scenes.components.panels import light
from scenes.components.theme import Theme, format_value


class Neuron(VGroup):
    """One unit of one layer at one time step.

    Parameters
    ----------
    theme
        Colours to use.
    radius
        Circle radius in scene units.
    values
        Whether ``show`` also prints the value inside the circle.

    Notes
    -----
    ``value`` holds the Trace value last shown (None while idle), so tests and other
    components can read what is drawn without reading it back from a colour.
    """

    def __init__(self, theme: Theme, radius: float = 0.25, values: bool = False, **kwargs):
        super().__init__(**kwargs)
        self.theme = theme
        self.values = values
        self.value: float | None = None
        self.circle = Circle(radius=radius, stroke_color=theme.muted, stroke_width=1.5)
        self.circle.set_fill(theme.background, opacity=1.0)  # hides the lines behind
        self.text: str | None = None  # the number printed inside, if any
        self.add(self.circle)
        if values:
            # An invisible placeholder, so that showing a number is always a plain Transform.
            self.label = self._number("+0.00", theme.text).set_opacity(0.0)
            self.add(self.label)

    def _number(self, s: str, color) -> Text:
        text = light(Text(s, font="Monospace", color=color))
        return text.scale_to_fit_width(1.6 * self.circle.radius).move_to(self.circle)

    def _styled(self, v: float, vmax: float) -> tuple[Circle, Text | None]:
        color = self.theme.value_color(v, vmax)
        circle = self.circle.copy().set_fill(color, opacity=1.0).set_stroke(self.theme.text)
        if not self.values:
            return circle, None
        return circle, self._number(format_value(v), self.theme.readable_on(color))

    def _record(self, v: float) -> None:
        self.value = float(v)
        self.text = format_value(v) if self.values else None

    def show(self, v: float, vmax: float) -> Neuron:
        """Fill with the colour of ``v`` on the scale [-vmax, vmax], at once."""
        circle, label = self._styled(v, vmax)
        self.circle.become(circle)
        if label is not None:
            self.label.become(label)
        self._record(v)
        return self

    def show_animation(self, v: float, vmax: float) -> list:
        """Animations that fill the neuron with ``v`` (and morph its number)."""
        circle, label = self._styled(v, vmax)
        self._record(v)
        anims = [Transform(self.circle, circle)]
        if label is not None:
            # Replacement, not Transform: the Text on screen is then the one that says v
            anims.append(ReplacementTransform(self.label, label))
            self.label = label
        return anims


class LayerRow(VGroup):
    """The neurons of one layer at one time step, left to right in index order."""

    def __init__(self, neurons: list[Neuron], layer: str, t: int, **kwargs):
        super().__init__(*neurons, **kwargs)
        self.layer = layer
        self.t = t

    def show(self, values, vmax: float) -> LayerRow:
        for neuron, v in zip(self.submobjects, values, strict=True):
            neuron.show(v, vmax)
        return self

    def show_animations(self, values, vmax: float) -> list:
        anims = []
        for neuron, v in zip(self.submobjects, values, strict=True):
            anims += neuron.show_animation(v, vmax)
        return anims

    @property
    def shown_values(self) -> list[float | None]:
        return [n.value for n in self.submobjects]
