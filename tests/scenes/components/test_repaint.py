"""PaintsStillOnce repaints fewer mobjects per frame and gives the very same frames, and its
PathCamera paints the same pixels as manim's camera."""

import hashlib

from manim import (
    DOWN,
    LEFT,
    RIGHT,
    UP,
    FadeIn,
    FadeOut,
    Indicate,
    Line,
    Scene,
    Square,
    Text,
    VGroup,
    tempconfig,
)
from manim.renderer.cairo_renderer import CairoRenderer

from scenes.components.repaint import PaintsStillOnce, PathCamera


class Picture(Scene):
    """Shapes drawn after the one that moves: one square overlaps it, one overlaps that square;
    a text (glyphs of several subpaths, some with holes) and an open line are far from it."""

    def construct(self):
        self.mover = Square(0.5).shift(LEFT * 5)
        self.far = VGroup(*[Square(0.4).shift(RIGHT * (1 + k) + UP) for k in range(4)],
                          Text("8 a:B", font="Sans").shift(DOWN + RIGHT * 2),
                          Line(LEFT, RIGHT * 3 + DOWN * 3))
        self.near = Square(0.5).shift(LEFT * 4.8 + DOWN * 0.2)  # over the mover
        self.above_near = Square(0.3).shift(LEFT * 4.6 + DOWN * 0.4)  # over ``near`` only
        self.add(self.mover, self.far, self.near, self.above_near)
        self.play(Indicate(self.mover), run_time=0.5)
        self.moved = {id(m) for m in self.moving_mobjects}
        self.play(FadeOut(self.mover), FadeIn(Square(0.2).shift(DOWN * 2)), run_time=0.5)


class Faster(PaintsStillOnce, Picture):
    pass


def frames_of(cls):
    frames = []

    class Recorder(CairoRenderer):
        def add_frame(self, frame, num_frames=1):
            frames.append((hashlib.sha1(frame.tobytes()).hexdigest(), num_frames))
            super().add_frame(frame, num_frames)

    conf = {"quality": "low_quality", "write_to_movie": False, "disable_caching": True,
            "progress_bar": "none", "verbosity": "WARNING", "notify_outdated_version": False}
    with tempconfig(conf):
        scene = cls(renderer=Recorder())
        scene.render()
    return scene, frames


def test_only_what_overlaps_the_animation_is_repainted_and_the_frames_are_the_same():
    plain, plain_frames = frames_of(Picture)
    fast, fast_frames = frames_of(Faster)
    assert len(fast_frames) == len(plain_frames) > 10
    assert fast_frames == plain_frames
    assert type(fast.camera) is PathCamera and type(plain.camera) is not PathCamera
    # manim repaints everything after the mover; here the far squares are painted once
    assert all(id(m) in plain.moved for m in plain.far)
    assert not any(id(m) in fast.moved for m in fast.far)
    # the square over the mover, and the one over that square, stay above it
    assert {id(fast.mover), id(fast.near), id(fast.above_near)} <= fast.moved
