"""Reverse mode: the backward order and the chain rule, without recursion.

``backward_order`` lists the nodes a backward pass visits, children before parents
(an iterative depth-first search, so a reused node is visited once, after every node
that uses it, and no recursion limit applies). ``local_partials`` evaluates a node's
rule from the primitive table. ``backward`` and ``grad`` share one loop, ``_chain_rule``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from .primitives import FLOAT
from .value import VALUE, EngineError, Number, Value, _const, _fmt, origin

__all__ = ["backward", "grad", "backward_order", "local_partials"]


def backward_order(roots: Iterable[Value], leaves: bool = False) -> list[Value]:
    """The nodes a backward pass from ``roots`` visits, each after every node that uses it.

    Leaves (nodes with no op) are left out unless ``leaves`` is true: the pass has
    nothing to do at a leaf. Iterative depth-first search, so no recursion limit
    applies, and the order depends only on the graph (parents in argument order).
    """
    order: list[Value] = []
    visited: set[Value] = set()
    add, emit = visited.add, order.append
    stack = [r for r in reversed(list(roots))]
    for i, r in enumerate(stack):
        if type(r) is not Value:
            raise TypeError(f"backward_order(roots[{len(stack) - 1 - i}]): expected a Value, got {r!r}")
    push, pop = stack.append, stack.pop
    while stack:
        v = pop()
        if v is None:           # all of the next node's parents are done
            emit(pop())
            continue
        if v in visited:
            continue
        add(v)
        push(v)
        push(None)
        prim = v._op
        if prim is None:
            continue
        if prim.arity == -1:
            for p in v._a:
                if type(p) is Value and (leaves or p._op is not None) and p not in visited:
                    push(p)
            continue
        p = v._a
        if type(p) is Value and (leaves or p._op is not None) and p not in visited:
            push(p)
        if prim.arity == 2:
            p = v._b
            if type(p) is Value and (leaves or p._op is not None) and p not in visited:
                push(p)
    order.reverse()
    return order


def local_partials(v: Value, create_graph: bool = False) -> list[tuple[int, Value, object]]:
    """``[(i, parent, ∂v/∂parent)]`` for each Value input of ``v``, from its primitive's rule.

    The derivative is a float, or a Value when ``create_graph`` is true.
    """
    return _partials(v, create_graph, nan_on_error=False)


def _partials(v: Value, create_graph: bool, nan_on_error: bool) -> list[tuple[int, Value, object]]:
    """:func:`local_partials`; with ``nan_on_error`` a derivative with no finite value is nan
    instead of an error (drawings of a graph whose backward pass would fail)."""
    prim = v._op
    if prim is None:
        return []
    parents = v.parents
    if create_graph:
        m, args, out = VALUE, parents, v
    else:
        m, out = FLOAT, v._data
        args = [p._data if type(p) is Value else p for p in parents]
    result = []
    for i, p in enumerate(parents):
        if type(p) is not Value:
            continue
        try:
            d = prim.partial(i, args, out, m)
        except (ArithmeticError, ValueError) as e:
            if not nan_on_error:
                raise _backward_error(v, e) from None
            d = math.nan
        result.append((i, p, d))
    return result


def _backward_error(v: Value, e: BaseException) -> BaseException:
    if isinstance(e, EngineError):
        return e
    operands = ", ".join(_fmt(p) for p in v.parents)
    return EngineError(f"backward through {v._op.name}({operands}) = {v._data!r}: "
                       f"the local derivative has no finite value ({e}){_made_at(v)}")


def _made_at(v: Value) -> str:
    site = origin(v)
    if site is None:
        return "; run inside autograd_lite.detect_anomaly() to see where this node was made"
    return f"; the node was made at {site}"


def _seed(g, create_graph: bool):
    if type(g) is Value:
        return g if create_graph else g._data
    g = _const(g, "backward(grad)")
    return Value(g) if create_graph else g


def _not_finite(g, v: Value) -> EngineError:
    return EngineError(f"gradient {g!r} reaching {_fmt(v)} (made by {v._op.name}) is not finite: "
                       f"the backward pass overflowed{_made_at(v)}")


def _not_finite_contribution(c, v: Value, p: Value) -> EngineError:
    return EngineError(f"gradient contribution {c!r} from {v._op.name} node {_fmt(v)} to its input {_fmt(p)} "
                       f"is not finite: the local derivative or the product overflowed{_made_at(v)}")


def _chain_rule(order: list[Value], create_graph: bool) -> None:
    """The backward pass proper: for each node in ``order``, push ``.grad`` to its inputs.

    Expects intermediate ``.grad`` zeroed and the roots seeded. Local derivatives come
    from the primitive table, on floats (``FLOAT``) or, with ``create_graph``, on Values.
    """
    m = VALUE if create_graph else FLOAT
    check = not create_graph  # Value arithmetic checks its own results
    for v in order:
        prim = v._op
        if prim is None:
            continue
        g = v.grad
        if type(g) is float:
            if g == 0.0:
                continue
            if g - g != 0.0:
                raise _not_finite(g, v)
        fns = prim.partials
        out = v if create_graph else v._data
        try:
            if prim.arity == 2:
                a = v._a
                b = v._b
                ta, tb = type(a) is Value, type(b) is Value
                if create_graph:
                    x, y = a, b
                else:
                    x = a._data if ta else a
                    y = b._data if tb else b
                fa, fb = fns
                if ta:
                    c = g * (fa if type(fa) is float else fa(x, y, out, m))
                    if check and c - c != 0.0:
                        raise _not_finite_contribution(c, v, a)
                    a.grad = a.grad + c
                if tb:
                    c = g * (fb if type(fb) is float else fb(x, y, out, m))
                    if check and c - c != 0.0:
                        raise _not_finite_contribution(c, v, b)
                    b.grad = b.grad + c
            elif prim.arity == 1:
                p = v._a
                f = fns[0]
                c = g * (f if type(f) is float else f(p if create_graph else p._data, out, m))
                if check and c - c != 0.0:
                    raise _not_finite_contribution(c, v, p)
                p.grad = p.grad + c
            else:
                f = fns[0]
                parents = v._a
                if type(f) is float:
                    c = g if f == 1.0 else g * f
                    for p in parents:
                        if type(p) is Value:
                            p.grad = p.grad + c
                else:
                    for p in parents:
                        if type(p) is Value:
                            c = g * f(p if create_graph else p._data, out, m)
                            if check and c - c != 0.0:
                                raise _not_finite_contribution(c, v, p)
                            p.grad = p.grad + c
        except (ArithmeticError, ValueError) as e:
            raise _backward_error(v, e) from None


def _start(roots: Sequence[Value], seeds: Sequence) -> list[Value]:
    """Begin a backward pass: the order, intermediate grads zeroed, the roots seeded."""
    order = backward_order(roots)
    for v in order:
        if v._op is not None:
            v.grad = 0.0
    for r, s in zip(roots, seeds):
        r.grad = r.grad + s
    return order


def _run(roots: Sequence[Value], seeds: Sequence, create_graph: bool) -> list[Value]:
    order = _start(roots, seeds)
    _chain_rule(order, create_graph)
    if create_graph:
        # Intermediate nodes keep the number only: a Value there would refer back to
        # its own node (a reference cycle per node). Leaves keep the Value, which can
        # be differentiated again; as in PyTorch, a leaf and its gradient's graph refer
        # to each other until the gradient is reset (zero_grad, or v.grad = 0.0).
        for v in order:
            if v._op is not None and type(v.grad) is Value:
                v.grad = v.grad._data
    return order


def backward(root: Value, grad: Number | Value = 1.0, create_graph: bool = False) -> None:
    """``root.backward(grad, create_graph)``: write gradients into ``.grad``."""
    if type(root) is not Value:
        raise TypeError(f"backward: expected a Value, got {root!r}")
    _run([root], [_seed(grad, create_graph)], create_graph)


def grad(outputs: Value | Sequence[Value], inputs: Value | Sequence[Value],
         grad_outputs: Sequence | None = None, create_graph: bool = False) -> list:
    """Gradients of ``outputs`` with respect to ``inputs``, leaving every ``.grad`` untouched.

    Returns one gradient per input, in order: floats, or Values when ``create_graph``
    is true (those can be differentiated again). An input that ``outputs`` does not
    depend on gets 0.0.

    >>> x = Value(3.0)
    >>> (dx,) = grad(x ** 3, [x], create_graph=True)
    >>> grad(dx, [x])
    [18.0]
    """
    for name, arg in (("outputs", outputs), ("inputs", inputs)):
        if type(arg) is not Value and not isinstance(arg, (list, tuple)):
            raise TypeError(f"grad({name}): expected a Value or a list of Values, got {arg!r}")
    outs = [outputs] if type(outputs) is Value else list(outputs)
    ins = [inputs] if type(inputs) is Value else list(inputs)
    for name, seq in (("outputs", outs), ("inputs", ins)):
        for i, v in enumerate(seq):
            if type(v) is not Value:
                raise TypeError(f"grad({name}[{i}]): expected a Value, got {v!r}")
    if grad_outputs is None:
        seeds = [_seed(1.0, create_graph) for _ in outs]
    else:
        grad_outputs = list(grad_outputs)
        if len(grad_outputs) != len(outs):
            raise ValueError(f"grad(grad_outputs): {len(grad_outputs)} given for {len(outs)} outputs")
        seeds = [_seed(g, create_graph) for g in grad_outputs]
    # The pass runs in the .grad slots (the fast path); save and restore them around it.
    graph = backward_order(outs, leaves=True)
    saved = [v.grad for v in graph]
    saved_ins = [v.grad for v in ins]
    try:
        for v in graph:
            v.grad = 0.0
        for v in ins:
            v.grad = 0.0
        for r, s in zip(outs, seeds):
            r.grad = r.grad + s
        _chain_rule(graph, create_graph)
        result = [v.grad for v in ins]
    finally:
        for v, g in zip(ins, saved_ins):
            v.grad = g
        for v, g in zip(graph, saved):
            v.grad = g
    if create_graph:
        result = [g if type(g) is Value else Value(g) for g in result]
    return result
