"""The lecture's worked example, loaded from docs/lecture_graph.py (the same network the README shows)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

_path = Path(__file__).resolve().parents[1] / "docs" / "lecture_graph.py"
_spec = importlib.util.spec_from_file_location("_lecture_graph", _path)
_module = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_module)


def lecture_network(**kwargs):
    """``(L, values)``; values maps "w11h", "a1s", ... to the network's Values."""
    return _module.lecture_network(**kwargs)


write_lecture_figures = _module.write_lecture_figures
