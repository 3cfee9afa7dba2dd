"""Tracing: run a per-example function once on placeholder Values and flatten its graph.

The compiler (:mod:`autograd_lite.compile`) calls the user's function on placeholder
leaves standing for one example's inputs and targets, inside the engine's internal
tracing mode. Every node made is seen by :class:`_Tracer`, which keeps the set of nodes
that depend on a placeholder; reading such a node's value (``.data``, ``float()``,
``bool()``, ``<``...) raises :class:`TraceError`, because the replay runs ONE graph for
the whole batch and could not follow a different Python branch per example.

The traced graph is then flattened into a :class:`FlatGraph`: a list of nodes
``(primitive, argument slot ids)`` in forward (topological) order, with numbered slots
for the placeholders, the parameters and the constants. The function is traced twice
with different placeholder values; if the two flat graphs differ, some value escaped the
tracer (``detach()``, ``no_grad()``, ``Value._data``, randomness) and TraceError is raised.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from .autodiff import backward_order
from .modes import _tracing, enable_grad
from .primitives import Primitive
from .value import Value

__all__ = ["TraceError", "FlatGraph", "trace"]


class TraceError(RuntimeError):
    """The traced function cannot be replayed faithfully on a batch (see :mod:`autograd_lite.compile`)."""


_ALLOWED = ("use primitives instead, which are replayed per example: relu, abs, leaky_relu, "
            "Value.max, sigmoid, tanh... (e.g. `(a - b).relu()` instead of `a - b if a > b else 0`); "
            "reading parameters' .data is fine")


class _Tracer:
    """Sees every node made while tracing; refuses reads of placeholder-dependent values."""

    def __init__(self, placeholders: Sequence[Value]) -> None:
        self.dependent: set[int] = {id(p) for p in placeholders}
        self.created: list[Value] = []      # keeps ids valid (no reuse) and marks trace-made leaves
        self.violation: str | None = None

    def on_create(self, v: Value) -> None:
        self.created.append(v)
        dep = self.dependent
        for p in v.parents:
            if type(p) is Value and id(p) in dep:
                dep.add(id(v))
                return

    def on_read(self, v: Value, what: str) -> None:
        if id(v) in self.dependent:
            label = f" (label {v.label!r})" if v.label else ""
            op = f"made by {v.op!r}" if v.op else "a placeholder"
            msg = (f"compile: {what} of a Value that depends on the inputs ({op}{label}) inside the "
                   f"traced function. The compiled program replays one graph for the whole batch, so "
                   f"Python control flow on a traced value would follow, for every example, the branch "
                   f"taken while tracing; {_ALLOWED}")
            self.violation = msg
            raise TraceError(msg)


@dataclass
class FlatGraph:
    """A traced graph as flat lists.

    Slot ids: ``0 .. n_inputs + n_targets - 1`` are the placeholders (inputs then
    targets), then ``len(params)`` parameter slots, then ``len(consts)`` constant slots,
    then one slot per node, in the order of ``nodes`` (a forward topological order).
    ``nodes[k] = (primitive, argument slot ids)``; ``outputs`` are slot ids.
    """

    n_inputs: int
    n_targets: int
    params: list[Value]
    consts: list[float]
    nodes: list[tuple[Primitive, tuple[int, ...]]]
    outputs: list[int]
    single: bool                      # fn returned one Value (not a list)

    @property
    def n_placeholders(self) -> int:
        return self.n_inputs + self.n_targets

    @property
    def first_node(self) -> int:
        return self.n_placeholders + len(self.params) + len(self.consts)


def _placeholders(n: int, prefix: str, seed: int) -> list[Value]:
    # Generic values in (0.3, 0.7): positive (log, sqrt are defined) and all distinct.
    vals = np.random.default_rng(seed).uniform(0.3, 0.7, n).tolist()
    return [Value(v, label=f"{prefix}[{i}]") for i, v in enumerate(vals)]


def _outputs(result, where: str) -> tuple[list[Value], bool]:
    if type(result) is Value:
        return [result], True
    if isinstance(result, (str, bytes)) or not hasattr(result, "__iter__"):
        raise TypeError(f"{where}: the traced function must return a Value or a list of Values, "
                        f"got {result!r} of type {type(result).__name__}")
    outs = list(result)
    if not outs:
        raise ValueError(f"{where}: the traced function returned an empty list of outputs")
    for i, v in enumerate(outs):
        if type(v) is not Value:
            raise TypeError(f"{where}: output [{i}] of the traced function is {v!r} of type "
                            f"{type(v).__name__}, not a Value")
    return outs, False


def _trace_once(fn: Callable, n_inputs: int, n_targets: int, params: list[Value] | None,
                seed: int) -> tuple[FlatGraph, list[Value]]:
    xs = _placeholders(n_inputs, "x", seed)
    ys = _placeholders(n_targets, "y", seed + 1000)
    tracer = _Tracer(xs + ys)
    try:
        with enable_grad(), _tracing(tracer):     # a trace records, even inside no_grad()
            result = fn(xs, ys) if n_targets else fn(xs)
    except TraceError:
        raise
    except Exception as e:
        if hasattr(e, "add_note"):
            e.add_note("(raised while compile traced the function on placeholder values: "
                       "x[i] and y[i] in (0.3, 0.7))")
        raise
    if tracer.violation is not None:        # fn caught our error and carried on
        raise TraceError(tracer.violation)
    outs, single = _outputs(result, "compile")
    order = backward_order(outs, leaves=True)
    order.reverse()                          # parents before children

    slot: dict[int, int] = {id(p): i for i, p in enumerate(xs + ys)}
    made_inside = {id(v): i for i, v in enumerate(tracer.created)}
    # Creation order is a topological order too, and the one the user wrote (neuron by neuron,
    # input by input): it gives the replay regular row patterns. Nodes made before the call first.
    n_order = len(order)
    order.sort(key=lambda v: made_inside.get(id(v), -n_order))
    if params is None:
        # The leaves made before the call, in the order the function first uses them:
        # node by node (in creation order), each node's inputs in argument order.
        params, seen = [], set(slot) | set(made_inside)
        ops = [v for v in order if v.primitive is not None]
        for v in ops + [o for o in outs if o.is_leaf()]:
            for p in (v.parents if v.primitive is not None else (v,)):
                if type(p) is Value and p.is_leaf() and id(p) not in seen:
                    seen.add(id(p))
                    params.append(p)
    n_ph = n_inputs + n_targets
    for j, p in enumerate(params):
        if id(p) in slot:
            raise ValueError(f"compile(params[{j}]) appears twice in params")
        slot[id(p)] = n_ph + j
    consts: list[float] = []
    const_slot: dict[tuple[float, float], int] = {}

    def const(x: float) -> int:
        key = (x, math.copysign(1.0, x))
        s = const_slot.get(key)
        if s is None:
            s = const_slot[key] = len(consts)
            consts.append(x)
        return -1 - s                          # patched to a real slot id below

    nodes: list[tuple[Primitive, tuple[int, ...]]] = []
    node_of: dict[int, int] = {}
    for v in order:
        if id(v) in slot:
            continue
        prim = v.primitive
        if prim is None:                       # a leaf that is neither placeholder nor parameter
            slot[id(v)] = const(v.data)
            continue
        args = []
        for p in v.parents:
            if type(p) is Value:
                s = slot.get(id(p))
                args.append(s if s is not None else -10**12 - node_of[id(p)])
            else:
                args.append(const(float(p)))
        node_of[id(v)] = len(nodes)
        slot[id(v)] = -10**12 - len(nodes)
        nodes.append((prim, tuple(args)))
    base_c = n_ph + len(params)
    base_n = base_c + len(consts)

    def real(s: int) -> int:
        if s >= 0:
            return s
        if s > -10**12:
            return base_c + (-1 - s)
        return base_n + (-10**12 - s)

    nodes = [(prim, tuple(real(a) for a in args)) for prim, args in nodes]
    outputs = [real(slot[id(v)]) for v in outs]
    flat = FlatGraph(n_inputs, n_targets, list(params), consts, nodes, outputs, single)
    return flat, tracer.created


def trace(fn: Callable, n_inputs: int, n_targets: int = 0,
          params: Sequence[Value] | None = None) -> FlatGraph:
    """Trace ``fn`` on placeholders (twice, with different values) and flatten its graph.

    Raises :class:`TraceError` when the function reads a placeholder-dependent value or
    when its graph changes with the placeholder values.
    """
    if params is not None:
        params = list(params)
        for j, p in enumerate(params):
            if type(p) is not Value:
                raise TypeError(f"compile(params[{j}]): expected a Value, got {p!r} of type "
                                f"{type(p).__name__}")
            if not p.is_leaf():
                raise ValueError(f"compile(params[{j}]): {p!r} is computed by {p.op!r}; parameters "
                                 "must be leaves (Values you created, not results of ops)")
    first, _keep = _trace_once(fn, n_inputs, n_targets, params, seed=0)
    second, _keep2 = _trace_once(fn, n_inputs, n_targets, first.params, seed=1)
    if (first.nodes != second.nodes or first.consts != second.consts or first.outputs != second.outputs
            or [id(p) for p in first.params] != [id(p) for p in second.params]):
        raise TraceError(
            "compile: the traced function builds a different graph when the placeholder values change. "
            "Some value computed from the inputs escaped the tracer and was frozen into the graph "
            "(.detach(), no_grad(), Value._data, numpy on .data) or the function is random; the replay "
            f"would use the traced values for every example. {_ALLOWED[0].upper()}{_ALLOWED[1:]}")
    return first
