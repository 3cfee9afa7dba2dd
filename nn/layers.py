"""Neurons, layers and multi-layer perceptrons on autograd_lite Values.

Each neuron computes the lectures' z = Σ wᵢaᵢ + b as ONE n-ary ``sum`` node, then its
activation a = g(z). Every node a neuron makes is tagged (``autograd_lite.scope``)
with the neuron's dotted name, e.g. ``layers.0.neurons.3``, which is also the prefix
of its parameters' names (``layers.0.neurons.3.w.1``, ``layers.0.neurons.3.b``):
drawings, ``named_parameters()`` and saved files all use the same names.

Parameters are leaf Values whose ``label`` is their full dotted name and whose
``scope`` is their neuron's name. Every random choice comes from a seed:
``MLP(..., seed=None)`` means seed 0, so two runs of the same script build the same
network; pass another integer for another draw.

>>> model = MLP(2, [3, 1], activation="tanh", seed=0)
>>> out = model([1.0, -2.0])
>>> len(out), out[0].scope
(1, 'layers.1.neurons.0')
>>> model.named_parameters()[0][0]
'layers.0.neurons.0.w.0'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from autograd_lite import Value, scope
from autograd_lite import compile as compile_program

from .module import Module

__all__ = ["Neuron", "Layer", "MLP", "ACTIVATIONS", "INITS", "LEAKY_SLOPE"]

LEAKY_SLOPE = 0.01

#: Activation name -> function of z (a Value). "softmax" is a layer-wide output activation.
ACTIVATIONS: dict[str, Callable[[Value], Value]] = {
    "linear": lambda z: z,
    "sigmoid": lambda z: z.sigmoid(),
    "tanh": lambda z: z.tanh(),
    "relu": lambda z: z.relu(),
    "leaky_relu": lambda z: z.leaky_relu(LEAKY_SLOPE),
}
_LAYER_ACTIVATIONS = (*ACTIVATIONS, "softmax")

#: Init name -> what it draws (weights; biases start at 0 in every scheme).
INITS = {
    "uniform": "w ~ U(-1, 1), as micrograd",
    "xavier": "w ~ U(-r, r), r = sqrt(6 / (fan_in + fan_out)) (Glorot & Bengio 2010)",
    "glorot": "same as xavier",
    "he": "w ~ N(0, 2 / fan_in) (He et al. 2015), for ReLU networks",
    "zeros": "w = 0: shows the symmetry problem (hidden neurons stay identical)",
}


def _rng(rng: np.random.Generator | int | None, where: str) -> np.random.Generator:
    if rng is None:
        return np.random.default_rng(0)
    if isinstance(rng, np.random.Generator):
        return rng
    if isinstance(rng, numbers.Integral) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise TypeError(f"{where}: rng/seed must be None, an int or a numpy Generator, got {rng!r}")


def _check_size(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _check_name(value: Any, allowed, what: str) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ValueError(f"unknown {what} {value!r}; choose one of {', '.join(allowed)}")
    return value


def _draw_weights(init: str, nin: int, fan_out: int, rng: np.random.Generator) -> list[float]:
    if init == "uniform":
        w = rng.uniform(-1.0, 1.0, nin)
    elif init in ("xavier", "glorot"):
        r = math.sqrt(6.0 / (nin + fan_out))
        w = rng.uniform(-r, r, nin)
    elif init == "he":
        w = rng.normal(0.0, math.sqrt(2.0 / nin), nin)
    else:
        w = np.zeros(nin)
    return [float(v) for v in w]


def _check_input(x: Any, nin: int, who: str) -> list:
    """``x`` as a list of nin finite floats or Values, or a clear error."""
    if isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise ValueError(f"{who}(x): expected one example (a 1-D sequence of {nin} numbers), "
                             f"got an array of shape {x.shape}")
        x = x.tolist()
    elif isinstance(x, (Value, numbers.Real)) or not isinstance(x, Sequence):
        raise TypeError(f"{who}(x): expected a sequence of {nin} numbers or Values, got {x!r:.80}")
    if len(x) != nin:
        raise ValueError(f"{who}(x): expected {nin} inputs, got {len(x)}")
    out = list(x)
    for i, v in enumerate(out):
        if type(v) is Value:
            continue
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"{who}(x): input {i} must be a number or a Value, got {v!r}")
        f = float(v)
        if not math.isfinite(f):
            raise ValueError(f"{who}(x): input {i} is {f!r}; inputs must be finite")
        out[i] = f
    return out


class Neuron(Module):
    """One neuron: z = Σ wᵢxᵢ + b (one ``sum`` node), a = activation(z).

    ``init`` draws the weights (see :data:`INITS`; ``fan_out`` is used by xavier),
    ``rng`` is a numpy Generator or an int seed (None: seed 0). The bias starts at 0.
    """

    def __init__(self, nin: int, activation: str = "tanh", init: str = "xavier",
                 rng: np.random.Generator | int | None = None, *, fan_out: int = 1) -> None:
        self.nin = _check_size(nin, "Neuron(nin)")
        self.activation = _check_name(activation, tuple(ACTIVATIONS), "activation")
        self.init = _check_name(init, tuple(INITS), "init")
        fan_out = _check_size(fan_out, "Neuron(fan_out)")
        ws = _draw_weights(self.init, self.nin, fan_out, _rng(rng, "Neuron"))
        self.w = [Value(v, label=f"w.{i}") for i, v in enumerate(ws)]
        self.b = Value(0.0, label="b")

    def _own_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{i}", w) for i, w in enumerate(self.w)), ("b", self.b)]

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "activation": self.activation, "init": self.init}

    def _forward(self, x: list) -> Value:
        z = Value.sum([*(wi * xi for wi, xi in zip(self.w, x)), self.b])
        return ACTIVATIONS[self.activation](z)

    def __call__(self, x: Sequence) -> Value:
        """The neuron's activation on one example (a list of nin numbers or Values)."""
        return self._forward(_check_input(x, self.nin, "Neuron"))

    def _repr_head(self) -> str:
        return f"Neuron(nin={self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same ``nin`` inputs; returns a list of ``nout`` Values.

    ``activation`` is one of :data:`ACTIVATIONS` or ``"softmax"`` (the neurons stay linear
    and the layer returns softmax(z), computed as exp(zᵢ - max z) / Σⱼ exp(zⱼ - max z)).
    """

    def __init__(self, nin: int, nout: int, activation: str = "tanh", init: str = "xavier",
                 rng: np.random.Generator | int | None = None) -> None:
        self.nin = _check_size(nin, "Layer(nin)")
        self.nout = _check_size(nout, "Layer(nout)")
        self.activation = _check_name(activation, _LAYER_ACTIVATIONS, "activation")
        self.init = _check_name(init, tuple(INITS), "init")
        gen = _rng(rng, "Layer")
        neuron_act = "linear" if self.activation == "softmax" else self.activation
        self.neurons: list[Neuron] = []
        for j in range(self.nout):
            with scope(f"neurons.{j}"):
                self.neurons.append(Neuron(self.nin, neuron_act, self.init, gen, fan_out=self.nout))
        _relabel(self)

    def _children(self) -> list[tuple[str, Module]]:
        return [(f"neurons.{j}", n) for j, n in enumerate(self.neurons)]

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nout": self.nout, "activation": self.activation, "init": self.init}

    def _forward(self, x: list, tag: bool = True) -> list[Value]:
        if tag:
            out = []
            for j, n in enumerate(self.neurons):
                with scope(f"neurons.{j}"):
                    out.append(n._forward(x))
        else:
            out = [n._forward(x) for n in self.neurons]
        if self.activation == "softmax":
            out = _softmax(out)
        return out

    def __call__(self, x: Sequence) -> list[Value]:
        """The layer's activations on one example: always a list of ``nout`` Values."""
        return self._forward(_check_input(x, self.nin, "Layer"))

    _repr_children = False  # its neurons are all alike

    def _repr_head(self) -> str:
        return f"Layer(nin={self.nin}, nout={self.nout}, activation={self.activation!r})"


def _softmax(z: list[Value]) -> list[Value]:
    m = Value.max(z)
    e = [(zi - m).exp() for zi in z]
    s = Value.sum(e)
    return [ei / s for ei in e]


def _relabel(module: Module) -> None:
    for name, p in module.named_parameters():
        p.label = name


class MLP(Module):
    """A multi-layer perceptron: ``nin`` inputs, then one layer per entry of ``nouts``.

    Hidden layers use ``activation``; the last uses ``output_activation`` (any
    activation, or ``"softmax"``). ``init`` is one of :data:`INITS`. ``seed`` (an int;
    None means 0) makes the weights reproducible.

    ``model(x)`` on one example returns a list of Values (even with one output);
    ``model.predict(X)`` returns the raw outputs for a batch as an array ``(n, n_out)``
    and ``model.classify(X)`` the predicted labels.
    """

    def __init__(self, nin: int, nouts: Sequence[int], activation: str = "tanh",
                 output_activation: str = "linear", init: str = "xavier", seed: int | None = None) -> None:
        self.nin = _check_size(nin, "MLP(nin)")
        if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Sequence) or len(nouts) == 0:
            raise ValueError(f"MLP(nouts) must be a non-empty list of layer sizes, got {nouts!r}")
        self.nouts = [_check_size(n, f"MLP(nouts[{i}])") for i, n in enumerate(nouts)]
        self.activation = _check_name(activation, tuple(ACTIVATIONS), "activation")
        self.output_activation = _check_name(output_activation, _LAYER_ACTIVATIONS, "output_activation")
        self.init = _check_name(init, tuple(INITS), "init")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
            raise TypeError(f"MLP(seed) must be an int or None, got {seed!r}")
        self.seed = seed
        rng = np.random.default_rng(0 if seed is None else int(seed))
        sizes = [self.nin, *self.nouts]
        self.layers: list[Layer] = []
        for i in range(len(self.nouts)):
            act = self.output_activation if i == len(self.nouts) - 1 else self.activation
            with scope(f"layers.{i}"):
                self.layers.append(Layer(sizes[i], sizes[i + 1], act, self.init, rng))
        _relabel(self)
        self._program = None

    @property
    def nout(self) -> int:
        """The number of outputs (the last layer's width)."""
        return self.nouts[-1]

    def _children(self) -> list[tuple[str, Module]]:
        return [(f"layers.{i}", layer) for i, layer in enumerate(self.layers)]

    def config(self) -> dict[str, Any]:
        return {"nin": self.nin, "nouts": list(self.nouts), "activation": self.activation,
                "output_activation": self.output_activation, "init": self.init, "seed": self.seed}

    def _forward(self, x: list, tag: bool = True) -> list[Value]:
        # tag=False skips the scope tags (about a fifth of the eager cost): fit uses it.
        if not tag:
            for layer in self.layers:
                x = layer._forward(x, False)
            return x
        for i, layer in enumerate(self.layers):
            with scope(f"layers.{i}"):
                x = layer._forward(x)
        return x

    def __call__(self, x: Sequence) -> list[Value]:
        """The network's outputs on one example (nin numbers or Values): a list of Values."""
        return self._forward(_check_input(x, self.nin, "MLP"))

    # ------------------------------------------------------------ batches
    def predict(self, X: Any) -> np.ndarray:
        """Raw outputs for a batch: float array ``(n, n_out)``, through the compiled forward.

        The compiled program is traced once and reads the parameters' current values
        at every call, so it stays valid while the model trains.
        """
        X = as_inputs(X, self.nin, "predict(X)")
        return np.asarray(self._compiled().forward(X), dtype=np.float64).reshape(len(X), self.nout)

    def classify(self, X: Any) -> np.ndarray:
        """Predicted labels ``(n,)``: argmax of the outputs, or for one output
        ``output > 0.5`` after a sigmoid and ``output > 0`` otherwise."""
        return labels_from_outputs(self.predict(X), self.output_activation)

    def _compiled(self):
        """The traced forward pass (one example -> nout outputs), made on first use."""
        if self._program is None:
            self._program = compile_program(self._forward, self.nin, params=self.parameters())
        return self._program

    def __getstate__(self):  # the cached program is rebuilt on demand
        state = self.__dict__.copy()
        state["_program"] = None
        return state

    # ------------------------------------------------------------ graduation
    def to_torch(self):
        """An equivalent ``torch.nn.Sequential`` (float64) with the same weights and outputs."""
        import torch

        mods: list = []
        for layer in self.layers:
            lin = torch.nn.Linear(layer.nin, layer.nout, dtype=torch.float64)
            with torch.no_grad():
                lin.weight.copy_(torch.tensor([[w.data for w in n.w] for n in layer.neurons],
                                              dtype=torch.float64))
                lin.bias.copy_(torch.tensor([n.b.data for n in layer.neurons], dtype=torch.float64))
            mods.append(lin)
            act = {"sigmoid": torch.nn.Sigmoid, "tanh": torch.nn.Tanh, "relu": torch.nn.ReLU,
                   "leaky_relu": lambda: torch.nn.LeakyReLU(LEAKY_SLOPE),
                   "softmax": lambda: torch.nn.Softmax(dim=-1)}.get(layer.activation)
            if act is not None:
                mods.append(act())
        return torch.nn.Sequential(*mods)

    def _repr_head(self) -> str:
        sizes = "-".join(str(s) for s in (self.nin, *self.nouts))
        return f"MLP({sizes}, parameters={self.n_parameters()})"


def as_inputs(X: Any, nin: int, where: str) -> np.ndarray:
    """``X`` as a finite float64 array ``(n, nin)`` with n >= 1, or a clear error naming ``where``."""
    try:
        arr = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: expected numbers, an array-like of shape (n, {nin}): {e}") from None
    if arr.ndim == 1 and nin == 1:
        arr = arr.reshape(-1, 1)
    if arr.ndim != 2 or arr.shape[1] != nin:
        raise ValueError(f"{where}: expected shape (n, {nin}), got {arr.shape}")
    if arr.shape[0] == 0:
        raise ValueError(f"{where}: the dataset is empty (0 examples)")
    bad = ~np.isfinite(arr)
    if bad.any():
        r, c = np.argwhere(bad)[0]
        raise ValueError(f"{where}: row {r}, column {c} is {float(arr[r, c])!r}; inputs must be finite "
                         f"({int(bad.sum())} non-finite value(s))")
    return arr


def labels_from_outputs(out: np.ndarray, output_activation: str) -> np.ndarray:
    """Class labels from raw outputs ``(n, n_out)`` (see ``MLP.classify``)."""
    if out.shape[1] == 1:
        threshold = 0.5 if output_activation == "sigmoid" else 0.0
        return (out[:, 0] > threshold).astype(np.int64)
    return np.argmax(out, axis=1).astype(np.int64)
