"""One render of every registered scene with default settings, shared by the tests that read it.

Under ``pytest -n`` (``make test``), the tests sharing one expensive artefact run in one worker
(``--dist loadgroup``), so the artefact is built once, not once per worker.
"""

import pytest
from cli_run import unrolled

# Modules whose tests share the example lecture's decks (``example_deck.example_decks``).
DECK_MODULES = ("test_cli_slides.py", "test_deck_browser.py")


@pytest.fixture(scope="session")
def rendered_all(tmp_path_factory):
    """``(folder, result)`` of ``unrolled render --all --jobs 2`` at low quality."""
    out = tmp_path_factory.mktemp("every-scene")
    return out, unrolled("render", "--all", "--jobs", "2", "--out", str(out))


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks into the items' ids
def pytest_collection_modifyitems(items):
    for item in items:
        if "rendered_all" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("render-all"))
        elif item.path.name in DECK_MODULES:
            item.add_marker(pytest.mark.xdist_group("example-decks"))
