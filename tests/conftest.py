"""Shared test setup.

Tests that need an outside program carry a marker: ``needs_dot`` (Graphviz), ``needs_browser``
(headless Chromium) or ``needs_torch`` (PyTorch). Where the program is missing they are
skipped with the reason; under CI (``CI=true``, where .ci/run installs all three) a skip of
any of them is turned into a failure, so a missing install can't hide a missing feature.
"""

from __future__ import annotations

import os
import shutil

import pytest

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def _have_torch() -> bool:
    try:
        import torch  # noqa: F401
    except ImportError:
        return False
    return True


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


REQUIREMENTS = {
    "needs_dot": (lambda: shutil.which("dot") is not None,
                  "Graphviz's dot program is not installed (apt install graphviz / brew install graphviz)"),
    "needs_browser": (lambda: _chromium() is not None and shutil.which("chromedriver") is not None,
                      "headless Chromium and chromedriver are not installed "
                      "(apt install chromium chromium-driver)"),
    "needs_torch": (_have_torch, "PyTorch is not installed (pip install torch)"),
}


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, (available, reason) in REQUIREMENTS.items():
        if item.get_closest_marker(marker) and not available():
            if CI:
                pytest.fail(f"{reason}; under CI this test must run, not skip")
            pytest.skip(reason)
