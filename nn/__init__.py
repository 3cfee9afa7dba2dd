"""nn: neurons, layers and MLPs built on autograd_lite, the lectures' losses and optimizers,
datasets, and a training loop.

>>> import nn
>>> X, y = nn.datasets.xor()
>>> model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
>>> history = nn.fit(model, X, y, loss="mse", optimizer=nn.SGD(model.parameters(), lr=0.2),
...                  epochs=300, progress=False)
>>> nn.metrics.accuracy(y, model.classify(X))
1.0

``nn.plot`` (matplotlib, from the ``notebooks`` extra) is imported on first use.
"""

from __future__ import annotations

from . import data, losses, metrics
from . import datasets as datasets
from .layers import MLP, Layer, Neuron
from .losses import l2
from .module import ModelFileError, Module
from .optim import SGD, Adam, Optimizer
from .train import History, fit

__all__ = [
    "Module", "ModelFileError", "Neuron", "Layer", "MLP", "SGD", "Adam", "Optimizer", "fit", "History",
    "l2", "losses", "metrics", "data", "datasets", "plot",
]


def __getattr__(name: str):
    # nn.plot needs matplotlib (an extra): import it only when it is used.
    if name == "plot":
        import importlib

        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
