"""The growable set of moving regions answers as the plain overlap test does."""

import numpy as np

from scenes.components.regions import EVERYWHERE, Regions, overlaps


def test_regions_meet_the_boxes_overlaps_finds_as_they_grow():
    rng = np.random.default_rng(0)

    def box():
        low = rng.uniform(-7, 7, 2)
        return low, low + rng.uniform(0, 1.5, 2)

    regions, plain = Regions(), []
    for _ in range(300):  # past several doublings of the arrays
        probe = box()
        assert regions.meets(probe) == overlaps(probe, plain)
        new = box()
        regions.append(new)
        plain.append(new)
    assert len(regions) == 300
    assert not Regions().meets(box())
    assert Regions([EVERYWHERE]).meets(box())
