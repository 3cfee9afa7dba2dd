"""Internal: read a computation graph for drawing, explaining and stepping (never writes to it).

Shared by :mod:`autograd_lite.draw`, :mod:`autograd_lite.explain` and
:mod:`autograd_lite.steps`: the list of nodes in a stable order, a readable name for
each node, and the local derivatives of each edge, evaluated from the primitive table.
"""

from __future__ import annotations

from collections.abc import Iterable

from .autodiff import _partials
from .value import Value

__all__: list[str] = []

# Longest derived name ("w₁·x₁") before a node is called by its number ("#7") instead.
_NAME_LIMIT = 18
_INFIX = {"add": "+", "sub": "-", "mul": "·", "div": "/", "pow": "^"}


def nodes_of(root: Value, argname: str = "root") -> list[Value]:
    """Every Value ``root`` depends on, leaves included, each after all of its inputs.

    Depth-first, inputs in argument order, so the first input of the first op comes
    first; the order depends only on the graph and is the same from run to run.
    It holds the same nodes as ``backward_order([root], leaves=True)``.
    """
    if type(root) is not Value:
        raise TypeError(f"{argname}: expected a Value, got {root!r} of type {type(root).__name__}")
    order: list[Value] = []
    seen: set[Value] = {root}
    stack: list[tuple[Value, int]] = [(root, 0)]
    while stack:                      # iterative: no recursion limit on deep graphs
        v, i = stack[-1]
        parents = v.parents
        while i < len(parents) and (type(parents[i]) is not Value or parents[i] in seen):
            i += 1
        if i == len(parents):
            stack.pop()
            order.append(v)
            continue
        stack[-1] = (v, i + 1)
        seen.add(parents[i])
        stack.append((parents[i], 0))
    return order


def fmt(x: object, digits: int = 4) -> str:
    """A number for a picture or a text: ``digits`` significant digits, no noise."""
    if type(x) is Value:
        x = x.data
    if isinstance(x, float) and x == 0.0:
        return "0"
    return f"{x:.{digits}g}"


def node_names(nodes: list[Value]) -> dict[Value, str]:
    """A short name per node: its label, else a small expression of its inputs' names, else ``#k``.

    ``k`` is the node's position in ``nodes`` (so the same node has the same name in
    ``draw`` and ``explain``). Expressions longer than a few characters fall back to ``#k``.
    """
    names: dict[Value, str] = {}
    derived: set[Value] = set()
    taken: set[str] = set()
    for k, v in enumerate(nodes):
        if v.label:
            # a label used twice (two samples through one model) gets the node's number
            names[v] = v.label if v.label not in taken else f"{v.label}#{k}"
            taken.add(names[v])
            continue
        name = None
        prim = v.primitive
        if prim is not None:
            raw = [names[p] if type(p) is Value else fmt(p) for p in v.parents]
            # compound operands of an infix op go in parentheses
            parts = [f"({s})" if type(p) is Value and p in derived else s for p, s in zip(v.parents, raw)]
            if prim.arity == 2 and prim.name in _INFIX:
                if prim.name == "pow" and raw[1] == "2":
                    name = f"{parts[0]}²"
                else:
                    name = f"{parts[0]}{_INFIX[prim.name]}{parts[1]}"
            elif prim.name == "neg":
                name = f"-{parts[0]}"
            elif prim.name == "sum":
                name = "+".join(raw)
            else:
                name = f"{prim.symbol}({', '.join(raw)})"
            if any(s.startswith("#") for s in raw) or len(name) > _NAME_LIMIT or name in taken:
                name = None
        if name is None:
            names[v] = f"#{k}"
        else:
            names[v] = name
            derived.add(v)
        taken.add(names[v])
    return names


def edge_partials(v: Value) -> list[tuple[int, Value, float]]:
    """``[(i, parent, ∂v/∂parent)]`` for each Value input of ``v``, from its primitive's rule.

    Like :func:`autograd_lite.local_partials` but never raises: a derivative with no
    finite value (sqrt at 0, log at a non-positive number) is ``nan`` here, so a drawing
    of a graph whose backward pass would fail can still be made.
    """
    return [(i, p, float(d)) for i, p, d in _partials(v, False, nan_on_error=True)]


def as_targets(targets: Value | Iterable[Value] | None, graph: set[Value], argname: str,
               root_name: str = "root") -> list[Value]:
    """``targets`` as a list of Values of ``graph``, or raise a clear error naming ``argname``."""
    if targets is None:
        return []
    if type(targets) is Value:
        items = [targets]
    else:
        try:
            items = list(targets)
        except TypeError:
            raise TypeError(f"{argname}: expected a Value or a list of Values, got {targets!r} "
                            f"of type {type(targets).__name__}") from None
    for j, v in enumerate(items):
        where = argname if type(targets) is Value else (
            f"{argname[:-1]}[{j}])" if argname.endswith(")") else f"{argname}[{j}]")
        if type(v) is not Value:
            raise TypeError(f"{where}: expected a Value, got {v!r} of type {type(v).__name__}")
        if v not in graph:
            raise ValueError(f"{where}: {v!r} is not in the graph of {root_name} "
                             f"({root_name} does not depend on it), so there is no path to show")
    return items


def descendants(nodes: list[Value], sources: Iterable[Value]) -> set[Value]:
    """The nodes of ``nodes`` (in forward order) that depend on any of ``sources``, sources included."""
    reached = set(sources)
    for v in nodes:
        if v in reached:
            continue
        for p in v.parents:
            if type(p) is Value and p in reached:
                reached.add(v)
                break
    return reached
