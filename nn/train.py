"""``fit``: the lectures' mini-batch SGD loop, with a progress bar and a per-epoch History.

For each epoch, the examples are shuffled (seeded) and cut into mini-batches
(:func:`nn.data.batches`). For each mini-batch of m examples the objective is

    C = (1/m) Σₓ loss(model(x), target(x)) + λ/2n Σ w²

where n is the size of the whole training set (the lectures' and Nielsen's
convention, also for mini-batches) and the penalty covers the weights, not the
biases (the lectures' sum leaves out the bias terms). Then the gradients are
computed and ``optimizer.step()`` updates the parameters.

``engine="eager"`` builds every example's graph with Values and calls ``backward``;
``engine="compiled"`` traces one example once (:func:`autograd_lite.compile`) and
replays it over each batch with numpy. Both give the same History (to rounding).

Targets: labels are class indices 0..K-1 (K = number of outputs, or 2 for one
output). Each loss sees a list of target numbers (:func:`encode_targets`):

- one output: [y] ∈ {0, 1} for ``bce``, ``bce_with_logits`` and any loss on a sigmoid
  output; otherwise [−1] or [+1] (``hinge``, and ``mse`` on a tanh or linear score),
  matching ``classify``, which thresholds a sigmoid at 0.5 and any other output at 0;
- several outputs: the one-hot vector of y (for ``hinge``, ±1 one-vs-all).

A custom loss function gets the same targets as ``mse``.

History (one entry per epoch):

- ``loss``: the mean over the epoch's mini-batches, weighted by their size, of the
  objective C above as it was computed for the gradient step (so before each step;
  with one full batch per epoch this is the loss at the start of the epoch, as
  micrograd's demo prints it);
- ``accuracy``: the accuracy of the same forward passes;
- ``val_loss``, ``val_accuracy``: one full pass over ``validation`` after the epoch;
  ``val_loss`` includes the same penalty λ/2n Σ w², so the two losses compare.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd_lite import EngineError, Value, no_grad
from autograd_lite import compile as compile_program

from . import losses as _losses
from .data import batches
from .layers import as_inputs, labels_from_outputs
from .metrics import accuracy as _accuracy
from .module import Module
from .optim import SGD, Optimizer

__all__ = ["fit", "History", "encode_targets"]

ENGINES = ("eager", "compiled")


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch (``val_*`` stay empty without validation)."""

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)

    @property
    def epochs(self) -> list[int]:
        """The epoch numbers 1, 2, ..., one per entry (``len(history.epochs)`` epochs ran)."""
        return list(range(1, len(self.loss) + 1))

    def __repr__(self) -> str:
        if not self.loss:
            return "History(0 epochs)"
        s = f"History({len(self.loss)} epochs, loss={self.loss[-1]:.4g}, accuracy={self.accuracy[-1]:.4g}"
        if self.val_loss:
            s += f", val_loss={self.val_loss[-1]:.4g}, val_accuracy={self.val_accuracy[-1]:.4g}"
        return s + ")"


# ---------------------------------------------------------------- checks and targets
def _n_classes(n_out: int) -> int:
    return 2 if n_out == 1 else n_out


def _check_labels(y: Any, n: int, n_out: int, where: str) -> np.ndarray:
    try:
        arr = np.asarray(y)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: expected an array of class labels: {e}") from None
    if arr.ndim != 1:
        raise ValueError(f"{where}: expected a 1-D array of class labels, got shape {arr.shape}")
    if len(arr) != n:
        raise ValueError(f"{where}: {len(arr)} labels for {n} examples")
    if arr.dtype.kind == "f":
        bad = ~np.isfinite(arr) | (arr != np.round(np.nan_to_num(arr)))
        if bad.any():
            i = int(np.argmax(bad))
            raise TypeError(f"{where}: class labels must be integers, got {arr[i].item()!r} at index {i}")
    elif arr.dtype.kind not in "iub":
        raise TypeError(f"{where}: class labels must be integers 0..K-1, got dtype {arr.dtype} "
                        f"(e.g. {arr[:3].tolist()!r})")
    arr = arr.astype(np.int64)
    k = _n_classes(n_out)
    out = (arr < 0) | (arr >= k)
    if out.any():
        i = int(np.argmax(out))
        raise ValueError(f"{where}: label {arr[i]} at index {i} is out of range 0..{k - 1} "
                         f"for a model with {n_out} output(s)")
    return arr


def encode_targets(y: np.ndarray, n_out: int, loss: str | Callable,
                   output_activation: str = "linear") -> np.ndarray:
    """The target vectors ``(n, n_out)`` a loss sees for labels ``y`` (see the module docs)."""
    if n_out == 1:
        t = y.astype(np.float64).reshape(-1, 1)
        # One score classified by its sign (classify's threshold 0) learns targets -1/+1;
        # probabilities (sigmoid) and logits (bce*) learn 0/1.
        probs_or_logits = loss in ("bce", "bce_with_logits") or output_activation == "sigmoid"
        signed = loss == "hinge" or not probs_or_logits
    else:
        t = np.zeros((len(y), n_out))
        t[np.arange(len(y)), y] = 1.0
        signed = loss == "hinge"
    return 2.0 * t - 1.0 if signed else t


def _check_loss_for(model: Module, loss: str | Callable) -> None:
    if not isinstance(loss, str):
        return
    out_act = getattr(model, "output_activation", None)
    n_out = _n_out(model)
    if loss == "cross_entropy":
        if n_out < 2:
            raise ValueError(f"fit(loss='cross_entropy') needs a model with >= 2 outputs (one logit per "
                             f"class), this one has {n_out}; use 'bce_with_logits' for one output")
        if out_act not in (None, "linear"):
            raise ValueError("fit(loss='cross_entropy') takes logits (it applies the softmax itself), "
                             f"but the model's output_activation is {out_act!r}; build it with "
                             "output_activation='linear'")
    if loss == "bce_with_logits" and out_act not in (None, "linear"):
        raise ValueError(f"fit(loss='bce_with_logits') takes logits, but the model's output_activation is "
                         f"{out_act!r}; use output_activation='linear' (or loss='bce' with 'sigmoid')")
    if loss == "hinge" and out_act in ("sigmoid", "softmax"):
        raise ValueError(f"fit(loss='hinge') needs scores that can pass ±1 (output_activation 'linear' or "
                         f"'tanh'), but the model's output_activation is {out_act!r}")
    if loss == "bce" and out_act not in (None, "sigmoid", "softmax"):
        raise ValueError(f"fit(loss='bce') needs probabilities, but the model's output_activation is "
                         f"{out_act!r}; use output_activation='sigmoid' (or loss='bce_with_logits')")


def _n_out(model: Module) -> int:
    n_out = getattr(model, "nout", None)
    if not isinstance(n_out, int):
        raise TypeError(f"fit(model): expected an nn model with .nin and .nout (such as nn.MLP), "
                        f"got {model!r:.80}")
    return n_out


def _pos_int(value: Any, what: str, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value <= 0:
        raise ValueError(f"{what} must be a positive integer, got {value!r}")
    return int(value)


def _weights(model: Module) -> list[Value]:
    """The parameters the L2 penalty covers: all but the biases (names ending in 'b')."""
    return [p for name, p in model.named_parameters() if name.rsplit(".", 1)[-1] != "b"]


def _progress_bar(total: int, enabled: bool):
    if not enabled:
        return None
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    return tqdm(total=total, desc="fit", unit="epoch", leave=True)


# ---------------------------------------------------------------- the two engines
class _Eager:
    """Per batch: build each example's graph, C = mean loss + penalty, backward."""

    def __init__(self, model, loss_fn, weights, lam: float, n: int) -> None:
        self.model, self.loss_fn, self.weights, self.lam, self.n = model, loss_fn, weights, lam, n

    def step(self, Xb: np.ndarray, Tb: np.ndarray, optimizer: Optimizer) -> tuple[float, np.ndarray]:
        model, loss_fn = self.model, self.loss_fn
        outs = [model._forward(row, False) for row in Xb.tolist()]
        terms = [loss_fn(o, t) for o, t in zip(outs, Tb.tolist())]
        cost = Value.sum(terms) / float(len(terms))
        if self.lam:
            cost = cost + _losses.l2(self.weights, self.lam, self.n)
        model.zero_grad()
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        return cost.data, np.array([[v.data for v in o] for o in outs])

    def evaluate(self, X: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
        with no_grad():
            outs = [self.model._forward(row, False) for row in X.tolist()]
            vals = [self.loss_fn(o, t).data for o, t in zip(outs, T.tolist())]
            return float(np.mean(vals)) + self._penalty(), np.array([[v.data for v in o] for o in outs])

    def _penalty(self) -> float:
        if not self.lam:
            return 0.0
        with no_grad():
            return _losses.l2(self.weights, self.lam, self.n).data


class _Compiled(_Eager):
    """Per batch: replay the traced per-example loss over the batch with numpy.

    One program returns ``[loss, *outputs]`` per example: the loss is differentiated,
    the outputs ride along for the accuracy. The penalty λ/2n Σ w² does not depend on
    the example, so it is its own program (its input column is ignored), replayed once
    per step; its gradient, like the loss's, comes from the primitive table. The
    parameters' ``.grad`` are not touched: the gradient array goes straight to
    ``optimizer.step``.
    """

    def __init__(self, model, loss_fn, weights, lam: float, n: int) -> None:
        super().__init__(model, loss_fn, weights, lam, n)
        params = model.parameters()

        def loss_and_outputs(x, t):
            outs = model._forward(x)
            return [loss_fn(outs, t), *outs]

        self.prog = compile_program(loss_and_outputs, model.nin, n_targets=_n_out(model), params=params,
                                    reduction="mean")
        self.penalty_prog = None
        if lam:
            self.penalty_prog = compile_program(lambda _: _losses.l2(weights, lam, n), 1, params=params)
        self._one = np.zeros((1, 1))
        self.params = params
        self._order: tuple[list, np.ndarray] | None = None

    def _for_optimizer(self, optimizer: Optimizer, g: np.ndarray) -> np.ndarray:
        """``g`` (aligned with the model's parameters) in the order of ``optimizer.params``."""
        if self._order is None or self._order[0] is not optimizer.params:
            pos = {id(p): i for i, p in enumerate(self.params)}
            self._order = (optimizer.params, np.array([pos[id(p)] for p in optimizer.params], dtype=np.intp))
        return g[self._order[1]]

    def step(self, Xb: np.ndarray, Tb: np.ndarray, optimizer: Optimizer) -> tuple[float, np.ndarray]:
        values, grads = self.prog.value_and_grad(Xb, Tb)
        cost = float(np.mean(values[:, 0]))
        g = np.asarray(grads, dtype=np.float64)
        if self.penalty_prog is not None:
            pv, pg = self.penalty_prog.value_and_grad(self._one)
            cost += float(pv[0])
            g = g + np.asarray(pg, dtype=np.float64)
        optimizer.step(grads=self._for_optimizer(optimizer, g))
        return cost, values[:, 1:]

    def evaluate(self, X: np.ndarray, T: np.ndarray) -> tuple[float, np.ndarray]:
        values = self.prog.forward(X, T)
        return float(np.mean(values[:, 0])) + self._penalty(), values[:, 1:]


def _diverged(e: Exception) -> bool:
    """An overflow in the forward pass, the backward pass or the optimizer's update."""
    text = str(e)
    return isinstance(e, EngineError) or "is not finite" in text


# ---------------------------------------------------------------- fit
def fit(model: Module, X: Any, y: Any, loss: str | Callable = "mse", optimizer: Optimizer | None = None,
        epochs: int = 10, batch_size: int | None = None, l2: float = 0.0,
        validation: tuple[Any, Any] | None = None, callbacks: Sequence[Callable] | None = None,
        progress: bool = True, seed: int = 0, engine: str = "eager") -> History:
    """Train ``model`` on ``(X, y)`` with mini-batch gradient descent; return the :class:`History`.

    Arguments: ``loss`` a name from :data:`nn.losses.LOSSES` or a function
    ``(outputs, target_list) -> Value``; ``optimizer`` (default ``nn.SGD(model.parameters(),
    lr=0.1)``); ``batch_size`` (None: the whole set, one step per epoch); ``l2`` the λ of
    the penalty λ/2n Σ w²; ``validation`` an ``(X_val, y_val)`` pair evaluated after each
    epoch; ``callbacks`` functions called as ``cb(epoch, history, model)`` after each
    epoch (return True to stop training); ``progress`` shows a tqdm bar (terminal or
    Jupyter); ``seed`` fixes the shuffling; ``engine`` is ``"eager"`` or ``"compiled"``.
    """
    n_out = _n_out(model)
    nin = model.nin
    Xa = as_inputs(X, nin, "fit(X)")
    ya = _check_labels(y, len(Xa), n_out, "fit(y)")
    loss_fn = _losses.get(loss)
    _check_loss_for(model, loss)
    if optimizer is None:
        optimizer = SGD(model.parameters(), lr=0.1)
    elif not isinstance(optimizer, Optimizer):
        raise TypeError(f"fit(optimizer): expected an nn optimizer such as nn.SGD(...), "
                        f"got {optimizer!r:.80}")
    own = {id(p) for p in model.parameters()}
    foreign = [p for p in optimizer.params if id(p) not in own]
    if foreign:
        raise ValueError(f"fit(optimizer): it holds {foreign[0].label or foreign[0]!r}, which is not a "
                         "parameter of the model; make it with model.parameters()")
    epochs = _pos_int(epochs, "fit(epochs)")
    batch_size = _pos_int(batch_size, "fit(batch_size)", allow_none=True) or len(Xa)
    if isinstance(l2, bool) or not isinstance(l2, numbers.Real) or not math.isfinite(l2) or l2 < 0:
        raise ValueError(f"fit(l2) must be a finite number >= 0, got {l2!r}")
    if engine not in ENGINES:
        raise ValueError(f"fit(engine) must be one of {', '.join(ENGINES)}, got {engine!r}")
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"fit(seed) must be an int, got {seed!r}")
    callbacks = list(callbacks or [])
    for i, cb in enumerate(callbacks):
        if not callable(cb):
            raise TypeError(f"fit(callbacks[{i}]): expected a function, got {cb!r}")
    out_act = getattr(model, "output_activation", "linear")
    T = encode_targets(ya, n_out, loss, out_act)
    if validation is not None:
        if not isinstance(validation, (tuple, list)) or len(validation) != 2:
            raise TypeError("fit(validation) must be an (X_val, y_val) pair")
        Xv = as_inputs(validation[0], nin, "fit(validation X)")
        yv = _check_labels(validation[1], len(Xv), n_out, "fit(validation y)")
        Tv = encode_targets(yv, n_out, loss, out_act)

    n = len(Xa)
    runner = (_Compiled if engine == "compiled" else _Eager)(model, loss_fn, _weights(model), float(l2), n)
    rng = np.random.default_rng(int(seed))
    history = History()
    bar = _progress_bar(epochs, progress)
    try:
        for epoch in range(1, epochs + 1):
            total, correct = 0.0, 0
            for Xb, Tb_y in batches(Xa, np.arange(n), batch_size, shuffle=True, seed=rng):
                try:
                    cost, outs = runner.step(Xb, T[Tb_y], optimizer)
                except (EngineError, ValueError) as e:
                    if not _diverged(e):
                        raise
                    raise FloatingPointError(
                        f"fit: training diverged at epoch {epoch} (lr = {optimizer.lr:g}): a value or a "
                        f"gradient overflowed; lower the learning rate. The engine said: {e}") from e
                total += cost * len(Xb)
                correct += int(np.sum(labels_from_outputs(outs, out_act) == ya[Tb_y]))
            history.loss.append(total / n)
            history.accuracy.append(correct / n)
            if validation is not None:
                vloss, vouts = runner.evaluate(Xv, Tv)
                history.val_loss.append(vloss)
                history.val_accuracy.append(_accuracy(yv, labels_from_outputs(vouts, out_act)))
            if bar is not None:
                post = {"loss": f"{history.loss[-1]:.4g}", "acc": f"{history.accuracy[-1]:.3f}"}
                if validation is not None:
                    post["val_acc"] = f"{history.val_accuracy[-1]:.3f}"
                bar.set_postfix(post, refresh=False)
                bar.update(1)
            if any([bool(cb(epoch, history, model)) for cb in callbacks]):
                break
    finally:
        if bar is not None:
            bar.close()
    return history
