"""demo.py (make demo): the worked example, the lecture graph and micrograd's moons classifier, files
written into --out."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest

import nn

ROOT = Path(__file__).resolve().parent.parent


def _demo():
    spec = importlib.util.spec_from_file_location("demo", ROOT / "demo.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["demo"] = mod
    spec.loader.exec_module(mod)
    return mod


@pytest.mark.needs_dot
def test_demo_trains_moons_and_writes_its_files(tmp_path, capsys):
    """A short run (10 steps; the full 100-step run's 100% is asserted in test_nn_train)."""
    _demo().main(["--out", str(tmp_path / "out"), "--no-progress", "--steps", "10"])
    text = capsys.readouterr().out
    # w = 0.5, x = 2, b = -1: z = 0, a = σ(0) = ½, dL/dw = 2(a − 1)·a(1 − a)·x = −1 · ¼ · 2 = −0.5
    assert "dL/dw    -0.500000000    -0.500000000" in text
    assert "(10 steps, eager engine)" in text and "accuracy: training " in text
    out = tmp_path / "out"
    names = {p.name for p in out.iterdir()}
    assert names == {"lecture_graph.svg", "lecture_graph.png", "lecture_steps.html", "lecture_explain.txt",
                     "moons_model.json", "moons_decision_boundary.png", "moons_loss.png"}
    assert "2 paths from w₁,₁⁽ʰ⁾ to L" in text
    explained = (out / "lecture_explain.txt").read_text(encoding="utf-8")
    assert "sum over paths" in explained and "equal" in explained
    assert b"stroke-width" in (out / "lecture_graph.svg").read_bytes()
    model = nn.MLP.load(out / "moons_model.json")
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=0)
    acc = nn.metrics.accuracy(y, model.classify(X))
    assert f"accuracy: training {acc:.1%} (100 points)" in text and acc >= 0.8
    assert json.loads((out / "moons_model.json").read_text())["config"]["nouts"] == [16, 16, 1]
    for png in ("moons_decision_boundary.png", "moons_loss.png", "lecture_graph.png"):
        assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
