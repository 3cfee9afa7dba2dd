"""The nn package surface: public names, lazy nn.plot, no heavy imports on `import nn`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import nn

ROOT = Path(__file__).resolve().parent.parent


def test_public_names():
    for name in ("Module", "Neuron", "Layer", "MLP", "SGD", "Adam", "fit", "History", "l2", "losses",
                 "metrics", "data", "datasets", "ModelFileError"):
        assert hasattr(nn, name), name
    assert callable(nn.data.batches)
    assert callable(nn.metrics.accuracy) and callable(nn.metrics.confusion_matrix)
    assert set(nn.losses.LOSSES) == {"mse", "half_mse", "bce", "bce_with_logits", "cross_entropy", "hinge"}
    assert callable(nn.datasets.make_moons)


def test_import_nn_loads_neither_matplotlib_nor_torch_and_plot_is_lazy():
    code = ("import sys, nn; assert 'matplotlib' not in sys.modules and 'torch' not in sys.modules; "
            "p = nn.plot; assert callable(p.decision_boundary); "
            "import nn.plot as q; assert q is p")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_unknown_attribute_error():
    with pytest.raises(AttributeError, match="module 'nn' has no attribute 'nonexistent'"):
        nn.nonexistent  # noqa: B018
