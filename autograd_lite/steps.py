"""The backward pass one node at a time: ``backward_steps`` and the HTML stepper ``render_steps``.

``backward_steps(root)`` *is* a backward pass (it writes ``.grad`` like
``root.backward()``, bit for bit) that stops after each node to show what it did:
the gradient that arrived at the node and, for each input, the local derivative
(from the primitive table) and the contribution ``grad · ∂node/∂input`` added to
that input's ``.grad``. A node used twice receives two contributions: the ``+=``
is visible.

Steps follow ``backward_order([root])`` exactly: one per node that has an op, the
loss first. Leaves (weights, inputs) get no step of their own, as in the pass:
their gradient is complete once the last node that uses them has had its step
(the stepper shows a final "done" frame with every leaf's gradient).

``render_steps(root, path)`` writes a self-contained HTML page (one SVG frame per
step, inlined; no network) with Previous/Next buttons, a slider and arrow keys.
"""

from __future__ import annotations

import concurrent.futures
import html
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from ._graph import fmt, node_names, nodes_of
from .autodiff import _not_finite, _not_finite_contribution, _start, local_partials
from .draw import INK, GraphvizNotFoundError, _build, _check_size
from .files import write_atomic
from .value import Value

__all__ = ["backward_steps", "render_steps", "BackwardStep", "Contribution", "StepsPage"]


@dataclass(frozen=True)
class Contribution:
    """What one step added to one input: ``parent.grad`` went from ``before`` to ``after``.

    ``after == before + grad * local`` (``grad`` being the step's gradient), computed
    exactly as the backward pass computes it.
    """

    index: int          # the input's argument position
    parent: Value
    local: float        # ∂node/∂parent
    added: float        # grad · local
    before: float
    after: float


@dataclass(frozen=True)
class BackwardStep:
    """One node of the backward pass: the gradient that arrived at it and what it passed on.

    ``skipped`` is true when the gradient is exactly 0.0: the pass passes nothing on
    (and computes no local derivative), so ``contributions`` is empty.
    """

    index: int
    node: Value
    grad: float
    contributions: tuple[Contribution, ...]
    skipped: bool = False

    def __str__(self) -> str:
        name = self.node.label or self.node.op
        head = f"step {self.index}: {name} ({self.node.op}) receives grad {fmt(self.grad, 6)}"
        if self.skipped:
            return head + "; it is 0, nothing to pass on"
        parts = [f"  input {c.index} ({c.parent.label or c.parent.op or 'leaf'}): "
                 f"{fmt(self.grad, 6)} · {fmt(c.local, 6)} = {fmt(c.added, 6)}; "
                 f"grad {fmt(c.before, 6)} → {fmt(c.after, 6)}" for c in self.contributions]
        return "\n".join([head, *parts])


def backward_steps(root: Value) -> Iterator[BackwardStep]:
    """Run ``root.backward()`` one node at a time, yielding a :class:`BackwardStep` per node.

    Same semantics as ``root.backward()``: intermediate gradients are reset to 0, the
    root is seeded with 1.0 (added to its ``.grad`` if the root is a leaf), leaves
    accumulate. Each step is applied before it is yielded; once the generator is
    exhausted every ``.grad`` equals what ``backward()`` leaves, exactly (the same
    float operations in the same order). Floats only (no ``create_graph``).
    """
    if type(root) is not Value:
        raise TypeError(f"backward_steps(root): expected a Value, got {root!r} of type {type(root).__name__}")
    return _steps(root)


def _steps(root: Value) -> Iterator[BackwardStep]:
    # The same start, order, skip and float operations as Value.backward() (autodiff.py),
    # one node at a time, so the grads left behind are bit for bit the same.
    order = [v for v in _start([root], [1.0]) if v.primitive is not None]  # a leaf root has no step
    for k, v in enumerate(order):
        g = v.grad
        if g == 0.0:
            yield BackwardStep(k, v, g, (), skipped=True)
            continue
        if g - g != 0.0:
            raise _not_finite(g, v)
        contributions = []
        for i, p, d in local_partials(v):
            before = p.grad
            added = g * d
            if added - added != 0.0:
                raise _not_finite_contribution(added, v, p)
            p.grad = before + added
            contributions.append(Contribution(i, p, d, added, before, p.grad))
        yield BackwardStep(k, v, g, tuple(contributions))


# ---------------------------------------------------------------- the HTML stepper
CURRENT_FILL = "#ffd27f"
CURRENT_COLOR = "#d35400"
DONE_FILL = "#e8f4ea"
DONE_COLOR = "#2e7d32"
IN_COLOR = "#d35400"      # the edges the gradient arrived along
OUT_COLOR = "#1f6fb2"     # the edges this step pushes gradient along


class StepsPage:
    """The HTML stepper written by :func:`render_steps`; displays inline in Jupyter.

    ``path``: the file written; ``html``: its text; ``frames``: number of frames.
    """

    def __init__(self, path: Path, text: str, frames: int) -> None:
        self.path = path
        self.html = text
        self.frames = frames

    def _repr_html_(self) -> str:
        # An iframe keeps the page's script and element ids apart from the notebook's.
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                f'style="width:100%;height:640px;border:1px solid #ccc" '
                f'title="backward pass, step by step"></iframe>')

    def __repr__(self) -> str:
        return f"StepsPage({self.path.name!r}, frames={self.frames})"


def render_steps(root: Value, path: str | os.PathLike, rankdir: str = "LR", group: bool = True,
                 max_nodes: int | None = 150, title: str | None = None) -> StepsPage:
    """Write an HTML page that steps through the backward pass of ``root``, and return it.

    One frame per step of :func:`backward_steps` (so this runs the backward pass and
    leaves ``.grad`` as ``root.backward()`` does), plus a first frame (the root seeded
    with 1) and a last one (done: every leaf's gradient). In each frame the current
    node is orange, the edges its gradient arrived along are orange, the edges it
    pushes gradient along are blue and labelled with the local derivative, and the
    visited nodes show their gradients; nodes not reached yet show "grad ?".

    The page is one self-contained file: SVG made by Graphviz ``dot``, inlined, a few
    lines of script, no external URL. Buttons, a slider and the ←/→ keys move between
    frames. The file is written atomically (temporary file, then rename). Needs ``dot``
    (:class:`~autograd_lite.draw.GraphvizNotFoundError` otherwise). Refuses graphs of
    more than ``max_nodes`` values (one frame per node gets long). ``rankdir`` and
    ``group`` are as in :func:`~autograd_lite.draw`.
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"render_steps(rankdir): expected 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    nodes = nodes_of(root, "render_steps(root)")
    _check_size(nodes, max_nodes, "render_steps")
    path = Path(path)
    if path.suffix.lower() not in (".html", ".htm"):
        raise ValueError(f"render_steps(path): expected a .html file name, got {str(path)!r}")
    if not path.parent.is_dir():
        raise FileNotFoundError(f"render_steps(path): folder {str(path.parent)!r} does not exist")
    if shutil.which("dot") is None:      # before the backward pass: a failed call changes no .grad
        raise GraphvizNotFoundError()
    names = node_names(nodes)
    frames = _frames(root, nodes, names)
    width = max(90, 7 * max(len(n) for n in names.values()) + 16)
    sources = [_frame_dot(nodes, f, j, rankdir, group, width) for j, f in enumerate(frames)]
    svgs = _render_all(sources)
    text = _page(frames, svgs, title or f"Backward pass of {names[root]}, step by step")
    write_atomic(path, text)
    return StepsPage(path, text, len(frames))


@dataclass
class _Frame:
    caption: str
    current: Value | None
    known: dict            # Value -> grad text shown
    arrived: set           # (child, i) edges the current node's gradient came along
    pushed: dict           # (child, i) -> contribution text of this step
    done: bool = False


def _frames(root: Value, nodes: list[Value], names: dict) -> list[_Frame]:
    consumers: dict[Value, list[tuple[Value, int]]] = {}
    for v in nodes:
        for i, p in enumerate(v.parents):
            if type(p) is Value:
                consumers.setdefault(p, []).append((v, i))
    steps = list(backward_steps(root))
    known: dict[Value, str] = {}
    r = names[root]
    frames = [_Frame(f"Start: the backward pass seeds ∂{r}/∂{r} = 1 at the root {r}. "
                     f"Press Next (or →) to visit the nodes in the order backward() does.",
                     None, {root: "1"}, set(), {})]
    known[root] = "1"
    n = len(steps)
    for s in steps:
        v = s.node
        known[v] = fmt(s.grad)
        pushed = {}
        parts = []
        for c in s.contributions:
            pushed[(v, c.index)] = fmt(c.added)
            known[c.parent] = fmt(c.after)
            parts.append(f"{names[c.parent]}.grad += {fmt(s.grad)} · {fmt(c.local)} = {fmt(c.added)} "
                         f"(now {fmt(c.after)})")
        arrived = {(c, i) for c, i in consumers.get(v, [])}
        head = f"Step {s.index + 1} of {n}: node {names[v]} ({v.op}) has its full gradient {fmt(s.grad)}"
        if v is not root:
            head += f", the sum of what its {len(arrived)} use(s) sent back"
        if s.skipped:
            body = "it is 0: nothing to pass on (the pass skips it)."
        else:
            body = ("it multiplies it by each local derivative and adds the result to its inputs: "
                    + "; ".join(parts))
        frames.append(_Frame(f"{head}; {body}", v, dict(known), arrived, pushed))
    leaves = [v for v in nodes if v.primitive is None]
    summary = ", ".join(f"{names[v]}.grad = {fmt(v.grad)}" for v in leaves[:12])
    more = f" and {len(leaves) - 12} more" if len(leaves) > 12 else ""
    frames.append(_Frame(f"Done: every node has been visited; the leaves hold their gradients: "
                         f"{summary}{more}.", None, dict(known), set(), {}, done=True))
    return frames


def _frame_dot(nodes: list[Value], f: _Frame, j: int, rankdir: str, group: bool, width: int) -> str:
    leaves_done = f.done

    def node_style(v: Value) -> dict:
        # every box has the same border width in every frame: same sizes, same layout
        if v is f.current:
            return {"color": CURRENT_COLOR, "fill": CURRENT_FILL, "border": 2, "class": "current"}
        if leaves_done and v.primitive is None:
            return {"color": DONE_COLOR, "fill": DONE_FILL, "border": 2, "class": "visited"}
        if v in f.known:
            return {"color": INK, "fill": "#f4f4f4", "border": 2, "class": "visited"}
        return {"color": "#9a9a9a", "border": 2}

    def edge_style(child: Value, i: int, parent: Value, d: float) -> dict:
        style: dict = {"label": fmt(d)}
        if (child, i) in f.pushed:
            style.update(color=OUT_COLOR, fontcolor=OUT_COLOR, penwidth="2.8", **{"class": "pushed"})
        elif (child, i) in f.arrived:
            style.update(color=IN_COLOR, fontcolor=IN_COLOR, penwidth="2.8", **{"class": "arrived"})
        return style

    def out_style(child: Value) -> dict:
        if any((child, i) in f.arrived for i in range(len(child.parents))):
            return {"color": IN_COLOR, "penwidth": "2.8"}
        if child is f.current:
            return {"color": CURRENT_COLOR, "penwidth": "2.8"}
        return {}

    def grad_text(v: Value) -> str:
        return f.known.get(v, "?")

    g = _build(nodes, rankdir=rankdir, group=group, node_style=node_style, edge_style=edge_style,
              out_style=out_style, grad_text=grad_text, cell_width=width, id_prefix=f"f{j}-")
    return g.source


def _render_all(sources: list[str]) -> list[str]:
    import graphviz

    def one(src: str) -> str:
        try:
            return graphviz.pipe("dot", "svg", src.encode("utf-8")).decode("utf-8")
        except graphviz.ExecutableNotFound as e:
            raise GraphvizNotFoundError() from e

    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1))) as ex:
        return list(ex.map(one, sources))


def _strip_prolog(svg: str) -> str:
    """The <svg> element alone (no XML declaration or DOCTYPE, which HTML does not want)."""
    return svg[svg.index("<svg"):]


def _page(frames: list[_Frame], svgs: list[str], title: str) -> str:
    template = resources.files("autograd_lite").joinpath("stepper.html").read_text(encoding="utf-8")
    divs = []
    for j, (f, svg) in enumerate(zip(frames, svgs)):
        hidden = "" if j == 0 else " hidden"
        divs.append(f'<div class="frame" id="frame-{j}" data-caption="{html.escape(f.caption, quote=True)}"'
                    f'{hidden}>{_strip_prolog(svg)}</div>')
    fill = {"TITLE": html.escape(title), "FRAMES": "\n".join(divs), "COUNT": json.dumps(len(frames)),
            "LAST": str(len(frames) - 1)}
    # one pass, so a label that happens to contain "{{COUNT}}" is left alone
    return re.sub(r"\{\{(TITLE|FRAMES|COUNT|LAST)\}\}", lambda m: fill[m.group(1)], template)
