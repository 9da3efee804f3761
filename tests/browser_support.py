"""Finding Chromium for the tests that open a page in a real browser.

On a machine without it (a fresh clone with only python3 and make) those tests are
skipped, and pytest's summary says why and how to install it. Under CI (``CI`` set,
as ``.ci/run`` runs) they must run: a missing Chromium fails them instead.
``WORKBENCH_SKIP_BROWSER=1`` skips them anywhere."""

from __future__ import annotations

import os
import shutil

import pytest

INSTALL_HINT = (
    "Chromium is not installed: the real-browser checks are skipped "
    "(install it with `make browser`, Debian's chromium package; under CI they must run)"
)


def find_chromium() -> str | None:
    for name in (os.environ.get("WORKBENCH_CHROMIUM"), "chromium", "chromium-browser"):
        if name and (found := shutil.which(name)):
            return found
    return None


def require_chromium() -> str:
    """Chromium's path; skips the test where it is missing, fails it under CI."""
    if os.environ.get("WORKBENCH_SKIP_BROWSER") == "1":
        pytest.skip("WORKBENCH_SKIP_BROWSER=1: the real-browser checks are skipped")
    found = find_chromium()
    if found is not None:
        return found
    if os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail("CI is set and Chromium is not installed: run `make browser`", False)
    pytest.skip(INSTALL_HINT)
