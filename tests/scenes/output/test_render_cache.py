"""render_scene's cache: the same render again is copied, anything changed is rendered anew."""

import pytest

import scenes.output.render as render_module
from rnn import text_model
from scenes.beats.inputs import SceneInput
from scenes.output.render import render_scene


def test_same_render_is_restored_and_a_change_renders_again(tmp_path, monkeypatch):
    inp = SceneInput(text_model("hey").trace())
    cache = tmp_path / "cache"
    first = render_scene("forward", inp, out_dir=tmp_path / "a", progress=False, cache_dir=cache)
    assert (tmp_path / "a" / "forward.mp4") in first

    def must_not_render(*args, **kwargs):
        raise AssertionError("a cached render was rendered again")

    monkeypatch.setattr(render_module, "_render_fresh", must_not_render)
    again = render_scene("forward", inp, out_dir=tmp_path / "b", progress=False, cache_dir=cache)
    assert [p.relative_to(tmp_path / "b") for p in again] == sorted(
        p.relative_to(tmp_path / "a") for p in first)
    for p in first:
        assert (tmp_path / "b" / p.relative_to(tmp_path / "a")).read_bytes() == p.read_bytes()

    # another seed, theme or quality is another render
    for changed, kwargs in [
        (SceneInput(text_model("hey", seed=1).trace()), {}),
        (SceneInput(text_model("hey").trace(), theme="light"), {}),
        (inp, {"quality": "medium"}),
    ]:
        with pytest.raises(AssertionError, match="rendered again"):
            render_scene("forward", changed, out_dir=tmp_path / "c", progress=False,
                         cache_dir=cache, **kwargs)
    assert len(list(cache.iterdir())) == 1  # one entry per output name
