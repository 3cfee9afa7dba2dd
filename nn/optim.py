"""Optimizers: they change the parameters' ``.data`` using their ``.grad``.

Each update is written once, on numpy arrays of all the parameters at once.

``lr`` is a positive number or a *schedule*: a function of the step number k
(0, 1, 2, ...) returning the learning rate for that step. micrograd's linear decay
from 1.0 to 0.1 over 100 steps is::

    nn.SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / 100)

- :class:`SGD`: w ← w − η v with v ← μ v + (g + weight_decay·w) (μ = momentum; plain
  gradient descent w ← w − η g when μ = 0 and weight_decay = 0).
- :class:`Adam`: Kingma & Ba (2015), with bias correction.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence

import numpy as np

from autograd_lite import Value

__all__ = ["Optimizer", "SGD", "Adam"]

Schedule = Callable[[int], float]


def _positive(value, what: str) -> float:
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
    ok = ok and value > 0
    if not ok:
        raise ValueError(f"{what} must be a finite number > 0, got {value!r}")
    return float(value)


def _in_range(value, what: str, lo: float, hi: float) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not (lo <= value < hi):
        raise ValueError(f"{what} must be a number in [{lo}, {hi}), got {value!r}")
    return float(value)


class Optimizer:
    """Base class: holds the parameters, the step count and the learning rate (or schedule)."""

    def __init__(self, params: Iterable[Value], lr: float | Schedule) -> None:
        name = type(self).__name__
        ps = list(params)
        if not ps:
            raise ValueError(f"{name}(params): no parameters to optimize (empty list)")
        seen: set[int] = set()
        for i, p in enumerate(ps):
            if type(p) is not Value:
                raise TypeError(f"{name}(params[{i}]): expected a Value, got {p!r:.80}")
            if not p.is_leaf():
                raise ValueError(f"{name}(params[{i}]): {p!r} is a computed node; only leaves can be "
                                 "optimized")
            if id(p) in seen:
                raise ValueError(f"{name}(params[{i}]): parameter {p.label or p!r} is listed twice")
            seen.add(id(p))
        self.params = ps
        if callable(lr):
            self.schedule: Schedule | None = lr
        else:
            _positive(lr, f"{name}(lr)")
            self.schedule = None
        self._lr = lr
        self.steps = 0

    @property
    def lr(self) -> float:
        """The learning rate the next ``step()`` will use."""
        if self.schedule is None:
            return float(self._lr)
        return _positive(self.schedule(self.steps),
                         f"{type(self).__name__}: lr schedule at step {self.steps}")

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0."""
        for p in self.params:
            p.grad = 0.0

    def _grads(self) -> np.ndarray:
        gs = []
        for p in self.params:
            g = p.grad
            if type(g) is Value:
                raise TypeError(f"{type(self).__name__}.step(): the gradient of {p.label or p!r} is a Value "
                                "(from backward(create_graph=True)); optimizers need float gradients")
            gs.append(g)
        return np.asarray(gs, dtype=np.float64)

    def step(self, grads: Sequence[float] | np.ndarray | None = None) -> None:
        """Update every parameter from its ``.grad`` (one step), then count the step.

        ``grads`` (aligned with ``params``) is used instead of the ``.grad`` attributes
        when given: the compiled engine passes the gradient array it computed.
        """
        lr = self.lr
        g = self._grads() if grads is None else np.asarray(grads, dtype=np.float64)
        if g.shape != (len(self.params),):
            raise ValueError(f"{type(self).__name__}.step(grads): expected {len(self.params)} gradients, "
                             f"got shape {g.shape}")
        bad = np.flatnonzero(~np.isfinite(g))
        if len(bad):
            p = self.params[int(bad[0])]
            raise ValueError(f"{type(self).__name__}.step(): the gradient of {p.label or p!r} "
                             f"is {float(g[bad[0]])!r}")
        w = Value.get_data(self.params)
        with np.errstate(over="ignore", invalid="ignore"):     # checked just below, with a clear message
            new_w, state = self._update(lr, w, g)
        for name, arr in state.items():
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{type(self).__name__}.step(): its state {name.lstrip('_')} is not finite: "
                                 "the gradients are too large (lower the learning rate)")
        Value.set_data(self.params, new_w)       # checks the whole update first: a refused step
        self.__dict__.update(state)              # changes neither the weights nor the state
        self.steps += 1

    def _update(self, lr: float, w: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, dict]:  # pragma: no cover
        """The new parameter values from the current ones ``w`` and the gradient ``g`` (arrays), and
        the optimizer's new state (attribute name -> value), kept only if the update is accepted."""
        raise NotImplementedError

    def __repr__(self) -> str:
        lr = "schedule" if self.schedule is not None else repr(self._lr)
        return f"{type(self).__name__}({len(self.params)} parameters, lr={lr}, steps={self.steps})"


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum and weight decay (PyTorch's convention)."""

    def __init__(self, params: Iterable[Value], lr: float | Schedule, momentum: float = 0.0,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _in_range(momentum, "SGD(momentum)", 0.0, 1.0)
        self.weight_decay = _in_range(weight_decay, "SGD(weight_decay)", 0.0, math.inf)
        self._velocity = np.zeros(len(self.params))

    def _update(self, lr: float, w: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, dict]:
        if self.weight_decay:
            g = g + self.weight_decay * w
        if self.momentum:
            g = self.momentum * self._velocity + g
            return w - lr * g, {"_velocity": g}
        return w - lr * g, {}


class Adam(Optimizer):
    """Adam: per-parameter step sizes from running means of g and g² (bias-corrected)."""

    def __init__(self, params: Iterable[Value], lr: float | Schedule = 1e-3,
                 betas: tuple[float, float] = (0.9, 0.999), eps: float = 1e-8) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"Adam(betas) must be a pair of numbers in [0, 1), got {betas!r}")
        self.betas = (_in_range(betas[0], "Adam(betas[0])", 0.0, 1.0),
                      _in_range(betas[1], "Adam(betas[1])", 0.0, 1.0))
        self.eps = _positive(eps, "Adam(eps)")
        self._m = np.zeros(len(self.params))
        self._v = np.zeros(len(self.params))

    def _update(self, lr: float, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        b1, b2 = self.betas
        t = self.steps + 1
        c1, c2 = 1.0 - b1 ** t, 1.0 - b2 ** t
        m = b1 * self._m + (1.0 - b1) * g
        v = b2 * self._v + (1.0 - b2) * g * g
        return w - lr * (m / c1) / (np.sqrt(v / c2) + self.eps), {"_m": m, "_v": v}
