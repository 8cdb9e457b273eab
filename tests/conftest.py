"""Shared by every test folder: this folder is on ``sys.path`` (pytest puts a rootdir conftest's
folder there), so helpers kept here, such as ``same_values``, import by name from any test."""

import pytest


@pytest.hookimpl(tryfirst=True)  # before xdist reads the marks into the items' ids
def pytest_collection_modifyitems(items):
    """Under ``pytest -n`` (``make test``: ``--dist loadgroup``), the tests of a module that
    builds a fixture once for the module run in one worker: spread over two workers, each built
    it again (a render, a dry run of a scene, a trained model). A test already in a group (a
    folder's conftest, whose hook runs before this one, or the module's own mark) keeps it."""
    for item in items:
        if next(item.iter_markers("xdist_group"), None) is not None:
            continue
        module = item.nodeid.split("::")[0]
        info = getattr(item, "_fixtureinfo", None)
        fixtures = info.name2fixturedefs.values() if info is not None else ()
        if any(d.scope == "module" and d.baseid == module for defs in fixtures for d in defs):
            item.add_marker(pytest.mark.xdist_group(module))
