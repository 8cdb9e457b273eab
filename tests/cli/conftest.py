"""One render of every registered scene with default settings, shared by the tests that read it."""

import pytest
from cli_run import unrolled


@pytest.fixture(scope="session")
def rendered_all(tmp_path_factory):
    """``(folder, result)`` of ``unrolled render --all --jobs 2`` at low quality."""
    out = tmp_path_factory.mktemp("every-scene")
    return out, unrolled("render", "--all", "--jobs", "2", "--out", str(out))
