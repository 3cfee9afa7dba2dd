"""``explain``: the multivariable chain rule for ∂root/∂wrt, written out with numbers.

∂L/∂w is the sum, over every path from ``w`` to ``L`` in the computation graph, of
the product of the local derivatives along the path (lecture 000: one path for an
output-layer weight, two for a hidden-layer weight of a two-output network).
:func:`explain` lists those paths, their factors and products, the sum, and
``w.grad`` beside it. Local derivatives come from the primitive table.

Paths can be exponentially many (each reused node doubles them), so they are first
*counted* by dynamic programming over the graph, and listed only when there are at
most ``max_paths`` of them (default :data:`MAX_PATHS`); otherwise the explanation
says how many there are and gives the total computed the same way, edge by edge,
without listing them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ._graph import as_targets, edge_partials, fmt, node_names, nodes_of
from .value import Value

__all__ = ["explain", "Explanation", "ChainPath", "Factor", "MAX_PATHS"]

MAX_PATHS = 64


@dataclass(frozen=True)
class Factor:
    """One local derivative on a path: ∂child/∂parent (``index``: the parent's argument position)."""

    child: Value
    parent: Value
    index: int
    value: float
    text: str           # "∂z₁/∂w₁₁"

    def __str__(self) -> str:
        return f"{self.text} = {fmt(self.value, 6)}"


@dataclass(frozen=True)
class ChainPath:
    """One path from ``wrt`` to ``root``.

    ``nodes``: wrt first; ``factors``: the local derivatives, root end first as in the
    lecture; ``product``: their product.
    """

    nodes: tuple[Value, ...]
    factors: tuple[Factor, ...]
    product: float


@dataclass(frozen=True)
class Explanation:
    """The chain rule for ∂root/∂wrt. ``str()`` writes it out; see :func:`explain`.

    ``paths`` is the list of :class:`ChainPath` (empty when ``enumerated`` is false, i.e.
    when there are more than ``max_paths``), ``count`` the number of paths, ``total`` the
    sum over all paths of their products, ``grad`` the value of ``wrt.grad`` when the
    explanation was made (compare it with ``total``).
    """

    root: Value
    wrt: Value
    paths: tuple[ChainPath, ...]
    count: int
    total: float
    grad: object
    enumerated: bool
    max_paths: int
    names: dict

    def __str__(self) -> str:
        r, w = self.names[self.root], self.names[self.wrt]
        lines = [f"∂{r}/∂{w} by the chain rule: the sum over every path from {w} to {r} "
                 f"of the product of the local derivatives along it."]
        if self.root is self.wrt:
            lines.append(f"{r} is {w} itself: one path with no edges, ∂{r}/∂{w} = 1")
        elif not self.enumerated:
            lines.append(f"{self.count} paths: too many to list (more than max_paths={self.max_paths}; "
                         f"pass explain(..., max_paths={self.count}) to list them). They were counted, "
                         f"not enumerated; the total below sums them edge by edge.")
        else:
            lines.append(f"{self.count} path{'s' if self.count != 1 else ''}:")
            for k, path in enumerate(self.paths, 1):
                route = " → ".join(self.names[v] for v in path.nodes)
                lines.append(f"  path {k}: {route}")
                lines.append("    " + " · ".join(f.text for f in path.factors))
                lines.append("    = " + " · ".join(_paren(f.value) for f in path.factors)
                             + f" = {fmt(path.product, 6)}")
            if self.count > 1:
                lines.append("  sum over paths: " + " + ".join(_paren(p.product) for p in self.paths)
                             + f" = {fmt(self.total, 6)}")
        lines.append(f"∂{r}/∂{w} = {fmt(self.total, 10)}")
        g = self.grad.data if type(self.grad) is Value else self.grad
        lines.append(f"{w}.grad = {fmt(g, 10)} (from the backward pass; "
                     f"{'equal' if _close(self.total, g, self) else _DIFFERENT})")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Explanation(∂{self.names[self.root]}/∂{self.names[self.wrt]}: {self.count} paths, "
                f"total={self.total!r})")


_DIFFERENT = ("different: run root.backward() once, on zeroed gradients, to compare; .grad adds up "
              "over backward passes")


def _paren(x: float) -> str:
    s = fmt(x, 6)
    return f"({s})" if x < 0 else s


def _close(total: float, g, ex: Explanation) -> bool:
    if not isinstance(g, float):
        return False
    scale = sum(abs(p.product) for p in ex.paths) if ex.enumerated else abs(total)
    return math.isclose(total, g, rel_tol=1e-12, abs_tol=1e-12 * scale)


def explain(root: Value, wrt: Value, max_paths: int = MAX_PATHS) -> Explanation:
    """The chain rule for ∂root/∂wrt with numbers: every path, its factors, their sum.

    ``str()`` of the result reads like the lecture::

        ∂L/∂w₁,₁⁽ˢ⁾ by the chain rule: ...
        1 path:
          path 1: w₁,₁⁽ˢ⁾ → w₁,₁⁽ˢ⁾·a₁⁽ʰ⁾ → z₁⁽ˢ⁾ → a₁⁽ˢ⁾ → ... → L
            ∂L/∂(...) · ... · ∂(w₁,₁⁽ˢ⁾·a₁⁽ʰ⁾)/∂w₁,₁⁽ˢ⁾
            = 1 · ... · 0.6416 = 0.1776
        ∂L/∂w₁,₁⁽ˢ⁾ = 0.1776...
        w₁,₁⁽ˢ⁾.grad = 0.1776... (from the backward pass; equal)

    Paths are counted first (dynamic programming, exact integers) and listed only if
    there are at most ``max_paths``; ``total`` is then the sum of the listed products,
    otherwise the same sum accumulated edge by edge (forward mode). Either way it
    equals ``wrt.grad`` after ``root.backward()`` up to rounding (1e-12 relative to
    the sum of the absolute path products). ``wrt`` must be in ``root``'s graph.
    Node names are labels, or short expressions / ``#k`` numbers as in :func:`draw`.
    """
    if isinstance(max_paths, bool) or not isinstance(max_paths, int) or max_paths < 0:
        raise ValueError(f"explain(max_paths): expected a non-negative int, got {max_paths!r}")
    nodes = nodes_of(root, "explain(root)")
    if type(wrt) is not Value:
        raise TypeError(f"explain(wrt): expected a Value, got {wrt!r} of type {type(wrt).__name__}")
    as_targets(wrt, set(nodes), "explain(wrt)")
    names = node_names(nodes)

    # Forward over the graph from wrt: number of paths and Σ Π local derivatives to each node.
    count: dict[Value, int] = {wrt: 1}
    acc: dict[Value, float] = {wrt: 1.0}
    uses: dict[Value, list[tuple[Value, int, float]]] = {}
    for v in nodes:
        if v is wrt:
            continue
        c, t = 0, 0.0
        for i, p, d in edge_partials(v):
            if p in count:
                c += count[p]
                t += acc[p] * d
                uses.setdefault(p, []).append((v, i, d))
        if c:
            count[v], acc[v] = c, t
    n = count[root]

    def text(child: Value, parent: Value) -> str:
        return f"∂{_wrap(names[child])}/∂{_wrap(names[parent])}"

    paths: list[ChainPath] = []
    enumerated = n <= max_paths
    if enumerated and n:
        # depth-first from wrt along the uses (every node of the graph reaches root); a path
        # is a linked list (factor, rest) so a long path costs its length, not its length²
        stack: list[tuple[Value, tuple | None]] = [(wrt, None)]
        while stack:
            v, link = stack.pop()
            if v is root:
                fs = []
                while link is not None:          # unwinds from the root end: the lecture's order
                    f, link = link
                    fs.append(f)
                prod = 1.0
                for f in fs:
                    prod *= f.value
                route = (wrt, *(f.child for f in reversed(fs)))
                paths.append(ChainPath(route, tuple(fs), prod))
                continue
            for child, i, d in reversed(uses.get(v, [])):
                stack.append((child, (Factor(child, v, i, d, text(child, v)), link)))
        total = math.fsum(p.product for p in paths)
    else:
        total = acc[root]
    return Explanation(root, wrt, tuple(paths), n, total, wrt.grad, enumerated, max_paths, names)


def _wrap(name: str) -> str:
    return f"({name})" if any(ch in name for ch in "+-·/^²(") and not name.startswith("#") else name
