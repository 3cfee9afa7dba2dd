"""The README's code works as written: the quick start, then the PyTorch graduation block."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
BLOCKS = re.findall(r"```python\n(.*?)```", README, flags=re.S)


def _block(first_line: str) -> str:
    found = [b for b in BLOCKS if b.startswith(first_line)]
    assert len(found) == 1, f"README: no single python block starting with {first_line!r}"
    return found[0]


QUICK_START = "from autograd_lite import Value, grad, draw, explain"


@pytest.fixture(scope="module")
def quick_start():
    import matplotlib

    matplotlib.use("Agg")
    ns: dict = {}
    exec(compile(_block(QUICK_START), "README quick start", "exec"), ns)
    return ns


def test_quick_start_runs_and_its_comments_are_true(quick_start):
    ns = quick_start
    assert ns["w"].grad == -0.5
    assert ns["d2w"] == pytest.approx(0.5, rel=1e-12)
    assert ns["explain"](ns["loss"], ns["w"]).count == 1
    assert ns["history"].accuracy[-1] >= 0.95


@pytest.mark.needs_torch
def test_graduating_to_torch_block_gives_the_same_outputs(quick_start):
    ns = dict(quick_start)
    exec(compile(_block("net = model.to_torch()"), "README graduation", "exec"), ns)
    out = ns["net"](ns["torch"].tensor(ns["X"])).detach().numpy()
    assert abs(out - ns["model"].predict(ns["X"])).max() < 1e-12
