"""The burned-in caption band shows each cue during its own slot of the plan, and only then."""

from scenes.components.caption_band import CaptionBand
from scenes.components.theme import get_theme


def test_the_band_follows_its_plan():
    band = CaptionBand(["first cue", "second\ncue"], [(0.5, 2.0), (2.5, 3.0)], get_theme("dark"))
    texts = band.texts
    seen = []
    for _ in range(120):  # 6 s at 20 frames a second
        band.update(0.05)
        shown = [k for k, m in enumerate(texts) if m.get_fill_opacity() > 0]
        assert len(shown) <= 1 and band.submobjects == [band.bg, *texts]
        seen.append(shown[0] if shown else -1)
    # nothing for 0.5 s, the first cue for 2 s, the second for 3 s, then nothing
    assert seen[:9] == [-1] * 9
    assert set(seen[10:49]) == {0} and set(seen[50:99]) == {1} and seen[-10:] == [-1] * 10
    assert band.bg.get_bottom()[1] <= -3.99  # at the bottom edge of the frame
    assert texts[1].height > texts[0].height  # two lines are taller than one
