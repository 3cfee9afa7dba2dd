"""Trace once, replay fast: compile a per-example scalar graph into a batched numpy program.

A scalar engine builds one node per multiply, so a batch rebuilds the same graph once
per example. :func:`compile` traces the per-example function ONCE on placeholder Values,
flattens the graph (:mod:`autograd_lite.trace`) and replays it forward and backward on
whole batches with grouped numpy calls (:mod:`autograd_lite.replay`). Local derivatives
come from the same primitive table as the eager engine, evaluated on arrays, so the
replayed losses and gradients equal the eager ones (summed over the examples one by one)
up to floating-point rounding.

>>> import numpy as np
>>> from autograd_lite import Value, compile
>>> w, b = Value(0.5, label="w"), Value(-1.0, label="b")
>>> def loss(x, y):                      # x, y: lists of placeholder Values (one example)
...     return ((w * x[0] + b).sigmoid() - y[0]) ** 2
>>> program = compile(loss, n_inputs=1, n_targets=1)     # params: the leaves it uses
>>> [p.label for p in program.params]                     # in the order the function uses them
['w', 'b']
>>> values, grads = program.value_and_grad(np.array([[2.0], [4.0]]), np.array([[1.0], [0.0]]))
>>> values.shape, len(grads)                             # per-example losses; batch-mean gradients
((2,), 2)
>>> w.data = 0.25                        # an optimizer step: the program reads .data at every call
>>> program.forward(np.array([[2.0]]), np.array([[1.0]])).round(6).tolist()
[0.387456]

``program.describe()`` lists the numpy steps the replay runs (op, node count, shape, where the
operands come from); ``program.get_params()`` / ``set_params(values)`` move every parameter
value at once as a numpy array (a fast optimizer step).

What the traced function may do
-------------------------------
The replay runs ONE graph for the whole batch, so the function must build the same graph
for every example:

* allowed: any Value ops, including the piecewise ones, which are primitives replayed per
  example: ``relu``, ``abs``, ``leaky_relu``, ``Value.max`` (the softmax shift), ``sigmoid``;
  Python loops over the inputs; reading parameters' ``.data``; constants.
* forbidden, and detected (:class:`TraceError`): Python control flow on a value that depends
  on the inputs, i.e. ``if v > 0:``, ``bool(v)``, ``float(v)``, ``v.data``, comparisons. Write
  ``(a - b).relu()`` instead of ``a - b if a > b else 0.0``, and a one-hot target list
  instead of indexing by a label Value.
* frozen, and detected by tracing twice with different placeholder values: values taken out
  of the graph (``.detach()``, ``no_grad()``, ``Value._data``) or random numbers drawn inside
  the function. Leaves created inside the function are constants.

Leaves that are neither placeholders nor ``params`` are constants frozen at compile time.

Speed note: the replay runs one numpy step per (op, depth). Long sums are fine written with
``Value.sum(...)`` or with Python's ``sum()`` / a ``+=`` loop (left-nested chains of ``+`` are
folded into one n-ary sum); other long chains (``Value.max`` over many terms, products
``a * b * c * ...``) cost one numpy step per link.

Errors
------
A batch of the wrong shape or dtype, or a missing ``Y``, raises ValueError/TypeError naming
the argument and the expected shape. An op with no finite value (log of a negative number,
overflow, division by zero) raises :class:`~autograd_lite.EngineError` naming the op and the
example, as the eager engine does. NaN or inf in ``X``/``Y`` raise ValueError naming the
example and the slot (a check that costs far less than the replay). Inside
:class:`~autograd_lite.detect_anomaly`, every computed block is checked as well.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import ArrayLike

from .modes import is_anomaly_enabled
from .replay import Plan, build_plan
from .trace import TraceError, trace
from .value import Value

__all__ = ["compile", "Program", "TraceError"]

# Slots held at once (rows x batch): batches larger than this are run in chunks.
# (1M floats: a chunk's values stay in cache; 128: the Python overhead of a chunk stays small).
_CHUNK_ELEMENTS = 1 << 20
_MIN_CHUNK = 128


class Program:
    """A compiled per-example function, replayed on batches. Made by :func:`compile`.

    Attributes: ``params`` (the parameter Values, in gradient order), ``n_inputs``,
    ``n_targets``, ``n_outputs``, ``reduction``, ``n_nodes`` (traced ops) and ``n_groups``
    (numpy steps of the forward pass).
    """

    def __init__(self, plan: Plan, reduction: str) -> None:
        flat = plan.flat
        self._plan = plan
        self.params: list[Value] = list(flat.params)
        self.n_inputs = flat.n_inputs
        self.n_targets = flat.n_targets
        self.n_outputs = len(flat.outputs)
        self.reduction = reduction
        self.n_nodes = len(flat.nodes)
        self.n_groups = len(plan.groups)
        self._single = flat.single
        self._chunk = max(_MIN_CHUNK, _CHUNK_ELEMENTS // max(1, plan.n_v))

    def __repr__(self) -> str:
        return (f"Program(n_inputs={self.n_inputs}, n_targets={self.n_targets}, n_outputs={self.n_outputs}, "
                f"params={len(self.params)}, nodes={self.n_nodes}, groups={self.n_groups}, "
                f"reduction={self.reduction!r})")

    def describe(self) -> str:
        """The program as a listing: one line per numpy step of the forward pass.

        Each line gives the op, how many nodes the step computes (and its shape), where
        its operands come from (inputs x, targets y, params, constants, earlier steps) and
        whether it runs per example (batch) or once per call (batch-invariant).
        """
        plan = self._plan
        lines = [repr(self)]
        for i, grp in enumerate(plan.groups):
            shape = "x".join(map(str, grp.out_shape))
            srcs = ", ".join(_source(plan, acc) for acc in grp.operands)
            where = "per example" if grp.in_v else "once per call"
            own = "" if not grp.own else ", keeps its own array"
            lines.append(f"step {i:3d}: {grp.prim.name:<10} x {grp.stop - grp.start:>6} ({shape}) "
                         f"<- {srcs}  [{where}{own}]")
        return "\n".join(lines)

    # -------------------------------------------------------------- inputs
    def _matrix(self, A, name: str, n_cols: int, what: str, slot: str, batch: int | None) -> np.ndarray:
        arr = np.asarray(A)
        if arr.dtype.kind not in "iuf":
            raise TypeError(f"{name}: expected a numeric array of shape (batch, {n_cols}) ({what}), "
                            f"got dtype {arr.dtype}")
        if name == "Y" and arr.ndim == 1 and n_cols == 1:
            arr = arr[:, None]
        if arr.ndim != 2 or arr.shape[1] != n_cols:
            hint = " (for one example use X[None, :])" if arr.ndim == 1 else ""
            raise ValueError(f"{name}: expected shape (batch, {n_cols}) ({what}, slots "
                             f"{slot}[0..{n_cols - 1}]), got shape {arr.shape}{hint}")
        if batch is not None and arr.shape[0] != batch:
            raise ValueError(f"{name}: has {arr.shape[0]} rows but X has {batch}: "
                             f"one row of {name} per example")
        arr = arr.astype(np.float64, copy=False)
        bad = np.argwhere(~np.isfinite(arr))
        if len(bad):
            i, j = (int(t) for t in bad[0])
            raise ValueError(f"{name}[{i}, {j}] (slot {slot}[{j}] of example {i}) is {float(arr[i, j])!r}: "
                             "inputs and targets must be finite")
        return arr

    def _placeholders(self, X, Y, caller: str) -> tuple[np.ndarray, np.ndarray | None]:
        """The batch as float64 arrays X (batch, n_inputs) and Y (batch, n_targets) or None."""
        Xa = self._matrix(X, "X", self.n_inputs, "one row per example, one column per input", "x", None)
        if self.n_targets == 0:
            if Y is not None:
                raise ValueError(f"{caller}(Y): this program has no targets (n_targets=0), got Y")
            return Xa, None
        if Y is None:
            raise ValueError(f"{caller}(Y): missing; this program has {self.n_targets} target slot(s) "
                             f"y[0..{self.n_targets - 1}]: pass Y of shape (batch, {self.n_targets})")
        Ya = self._matrix(Y, "Y", self.n_targets, "one row per example, one column per target", "y",
                          Xa.shape[0])
        return Xa, Ya

    def get_params(self) -> np.ndarray:
        """The parameters' current values as a float64 array (aligned with ``params``)."""
        return Value.get_data(self.params)

    def set_params(self, values: ArrayLike) -> None:
        """Set every parameter's ``.data`` from an array aligned with ``params`` (a fast optimizer step).

        >>> # SGD on the compiled program, numpy all the way:
        >>> # program.set_params(program.get_params() - lr * np.asarray(grads))
        """
        Value.set_data(self.params, values)

    # -------------------------------------------------------------- calls
    def forward(self, X: ArrayLike, Y: ArrayLike | None = None) -> np.ndarray:
        """The outputs on a batch: shape (batch,) for a single Value output, (batch, n_out) for a list.

        ``X``: array-like (batch, n_inputs); ``Y``: (batch, n_targets), required when
        n_targets > 0.
        """
        Xa, Ya = self._placeholders(X, Y, "forward")
        anomaly = is_anomaly_enabled()
        B, c = Xa.shape[0], self._chunk
        out = np.empty((self.n_outputs, B))
        for s in range(0, B, c):
            Yc = None if Ya is None else Ya[s:s + c]
            out[:, s:s + c] = self._plan.run(Xa[s:s + c], Yc, False, anomaly)[0]
        return out[0] if self._single else out.T

    def value_and_grad(self, X: ArrayLike, Y: ArrayLike | None = None) -> tuple[np.ndarray, list[float]]:
        """Per-example values and the gradients of the batch ``reduction`` of the first output.

        Gradients are aligned with ``params``: the mean (``reduction="mean"``) or the sum
        (``"sum"``) over the batch of each example's gradient of output 0. Values have
        shape (batch,) for a single Value output. A function that returns a list gets
        values of shape (batch, n_out): output 0 is differentiated, the others ride along
        (for example ``[loss, *model_outputs]``, to count correct answers in the same pass).
        """
        Xa, Ya = self._placeholders(X, Y, "value_and_grad")
        B, c = Xa.shape[0], self._chunk
        if B == 0:
            raise ValueError("value_and_grad(X): the batch is empty (0 rows)")
        anomaly = is_anomaly_enabled()
        values = np.empty((self.n_outputs, B))
        grads = np.zeros(len(self.params))
        for s in range(0, B, c):
            out, g = self._plan.run(Xa[s:s + c], None if Ya is None else Ya[s:s + c], True, anomaly)
            values[:, s:s + c] = out
            grads += g
        if self.reduction == "mean":
            grads /= B
        return (values[0] if self._single else values.T), grads.tolist()


def _source(plan: Plan, acc) -> str:
    """Where an operand's rows live, for :meth:`Program.describe`."""
    rows = acc.rows.ravel() if acc.kind != "mixed" else np.concatenate([acc.v_rows, acc.p_rows])
    kinds = []
    flat = plan.flat
    nph, npar = flat.n_placeholders, len(flat.params)
    v_rows = rows if acc.kind == "v" else (acc.v_rows if acc.kind == "mixed" else rows[:0])
    p_rows = rows if acc.kind == "p" else (acc.p_rows if acc.kind == "mixed" else rows[:0])
    if (v_rows < flat.n_inputs).any():
        kinds.append("x")
    if ((v_rows >= flat.n_inputs) & (v_rows < nph)).any():
        kinds.append("y")
    if (v_rows >= nph).any():
        kinds.append("steps")
    if (p_rows < npar).any():
        kinds.append("params")
    if ((p_rows >= npar) & (p_rows < npar + len(flat.consts))).any():
        kinds.append("constants")
    if (p_rows >= npar + len(flat.consts)).any():
        kinds.append("steps")
    how = "view" if acc.view is not None else "gather"
    return "+".join(dict.fromkeys(kinds)) + f" ({how})"


def compile(fn: Callable, n_inputs: int, n_targets: int = 0, params: Sequence[Value] | None = None,
            reduction: str = "mean") -> Program:
    """Trace ``fn`` once on placeholders and return a :class:`Program` that replays it on batches.

    ``fn(x)`` (or ``fn(x, y)`` when ``n_targets`` > 0) receives lists of ``n_inputs`` (and
    ``n_targets``) placeholder Values for ONE example and returns a Value (a per-example
    loss or score) or a list of Values (outputs). ``params``: the leaves whose current
    ``.data`` the program reads at every call and whose gradients it returns; None means
    every leaf of the traced graph made before the call, in the order the graph first uses
    them. ``reduction``: "mean" or "sum" of the per-example gradients.

    Raises :class:`TraceError` when the graph depends on the inputs' values through Python
    control flow (see the module docstring for what is allowed).
    """
    for name, n, low in (("n_inputs", n_inputs, 1), ("n_targets", n_targets, 0)):
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < low:
            raise ValueError(f"compile({name}): expected an int >= {low}, got {n!r}")
    if reduction not in ("mean", "sum"):
        raise ValueError(f"compile(reduction): expected 'mean' or 'sum', got {reduction!r}")
    if not builtins.callable(fn):
        raise TypeError(f"compile(fn): expected a function, got {fn!r}")
    flat = trace(fn, int(n_inputs), int(n_targets), params)
    return Program(build_plan(flat), reduction)


# ``from autograd_lite import compile`` binds this function over the module's name in the
# package, so ``autograd_lite.compile.TraceError`` must work on the function too.
compile.TraceError = TraceError  # type: ignore[attr-defined]
compile.Program = Program  # type: ignore[attr-defined]
