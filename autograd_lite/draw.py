"""``draw``: the computation graph as a Graphviz picture, with the gradient paths in bold.

Each value is a box (label, data, grad); each op is its own small circle; constant
operands are small grey numbers. ``draw(loss, highlight=w)`` draws in bold every path
from ``w`` to ``loss`` (the paths the multivariable chain rule sums over) and labels
each of its edges with the local derivative ∂child/∂parent, evaluated from the
primitive table; everything else is faded. Nodes made inside
``autograd_lite.scope(...)`` (nn's neurons and layers) are drawn in nested boxes,
and ``collapse=True`` draws each neuron as a single box, for networks too big to
draw value by value.

Drawing only reads the graph. The result is a :class:`graphviz.Digraph` (a
:class:`Drawing`): in Jupyter it shows inline as SVG, ``.source`` is the DOT text and
``.render("graph", format="png")`` writes a file. Rendering needs Graphviz's ``dot``
program; where it is missing, rendering raises :class:`GraphvizNotFoundError`, which
says how to install it.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable

import graphviz

from ._graph import as_targets, descendants, edge_partials, fmt, node_names, nodes_of
from .value import Value

__all__ = ["draw", "Drawing", "GraphvizNotFoundError", "INSTALL_GRAPHVIZ"]

INSTALL_GRAPHVIZ = (
    "Graphviz's `dot` program is needed to render drawings and was not found on PATH. "
    "Install Graphviz: `sudo apt install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS), "
    "`conda install -c conda-forge graphviz` (conda), or see https://graphviz.org/download/. "
    "Without it, draw() still returns the graph: its .source is the DOT text."
)

# Colours: a path in red, the rest faded to grey (colour-blind safe enough with the bold width).
PATH_COLOR = "#c0392b"
PATH_FILL = "#fdecea"
SOURCE_FILL = "#f9c6c0"
FADED = "#c4c4c4"
FADED_TEXT = "#a8a8a8"
INK = "#222222"
CONST_INK = "#7a7a7a"
CLUSTER_FILLS = ("#f3f6fb", "#e8eef8", "#dde6f5", "#d2def2")


class GraphvizNotFoundError(graphviz.ExecutableNotFound):
    """Graphviz's ``dot`` program is missing; the message says how to install it."""

    def __init__(self, message: str = INSTALL_GRAPHVIZ) -> None:
        RuntimeError.__init__(self, message)


class Drawing(graphviz.Digraph):
    """A :class:`graphviz.Digraph` made by :func:`draw`.

    Rendering (``render``, ``pipe``, ``view``, Jupyter display) raises
    :class:`GraphvizNotFoundError`, with install instructions, where ``dot`` is missing.
    :meth:`node_id` gives the DOT name of a Value's box (its op circle is that name
    plus ``"_op"``), for tests and for post-processing the DOT or SVG.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._ids: dict[Value, str] = {}

    def node_id(self, v: Value) -> str:
        """The DOT node name of ``v``'s box; ``KeyError`` if ``v`` is not drawn."""
        try:
            return self._ids[v]
        except KeyError:
            raise KeyError(f"node_id({v!r}): this Value is not in the drawing") from None

    def copy(self) -> Drawing:
        c = super().copy()
        c._ids = dict(self._ids)
        return c

    def pipe(self, *args, **kwargs):
        try:
            return super().pipe(*args, **kwargs)
        except graphviz.ExecutableNotFound as e:
            raise GraphvizNotFoundError() from e

    def render(self, *args, **kwargs):
        try:
            return super().render(*args, **kwargs)
        except graphviz.ExecutableNotFound as e:
            raise GraphvizNotFoundError() from e


# ---------------------------------------------------------------- public entry point
def draw(root: Value, highlight: Value | Iterable[Value] | None = None, rankdir: str = "LR",
         show_grad: bool = True, edge_labels: bool | None = None, group: bool = True,
         max_nodes: int | None = 500, collapse: bool = False) -> Drawing:
    """Draw the computation graph of ``root`` (a :class:`graphviz.Digraph`, shown inline in Jupyter).

    Parameters
    ----------
    root:
        The output to draw (usually the loss); every node it depends on is drawn.
    highlight:
        A Value, or a list of Values, of ``root``'s graph. Every edge and node on a
        path from one of them to ``root`` is drawn bold and red, each such edge labelled
        with its local derivative ∂child/∂parent; everything else is faded.
    rankdir:
        Graphviz direction: "LR" (inputs left, loss right), "TB", "RL" or "BT".
    show_grad:
        Show each node's ``.grad`` (run ``root.backward()`` first).
    edge_labels:
        ``True``: label every edge with its local derivative; ``False``: none;
        ``None`` (default): only the highlighted edges.
    group:
        Put nodes made inside ``autograd_lite.scope(...)`` (nn neurons, layers) in
        nested boxes labelled with the dotted scope name; ``False`` draws a flat graph.
    max_nodes:
        Refuse (``ValueError``) above this many values (boxes, with ``collapse``),
        before running Graphviz; ``None`` for no limit.
    collapse:
        Draw every innermost scope (an nn neuron: its weights, products, sum and
        activation) as ONE box showing the values it passes on, with no op circles
        or edge labels; nodes outside any scope are drawn as plain boxes. For big
        networks: a 2-16-16-1 MLP on one sample is ~700 values but 36 boxes.

    Nodes without a label are named by a short expression of their inputs (``w·x``)
    or by their number (``#7``), the same names :func:`autograd_lite.explain` uses.
    """
    if rankdir not in ("LR", "RL", "TB", "BT"):
        raise ValueError(f"draw(rankdir): expected 'LR', 'RL', 'TB' or 'BT', got {rankdir!r}")
    if edge_labels not in (None, True, False):
        raise TypeError(f"draw(edge_labels): expected True, False or None, got {edge_labels!r}")
    nodes = nodes_of(root, "draw(root)")
    targets = as_targets(highlight, set(nodes), "draw(highlight)")
    on_path = descendants(nodes, targets) if targets else set()
    sources = set(targets)
    if collapse:
        return _collapsed(nodes, on_path, sources, rankdir=rankdir, show_grad=show_grad, group=group,
                          max_nodes=max_nodes)
    _check_size(nodes, max_nodes, "draw", collapse_hint=any(v.scope for v in nodes))

    def node_style(v: Value) -> dict:
        if not targets:
            return {}
        if v in sources:
            return {"color": PATH_COLOR, "fill": SOURCE_FILL, "border": 3, "class": "hl source"}
        if v in on_path:
            return {"color": PATH_COLOR, "fill": PATH_FILL, "border": 2, "class": "hl"}
        return {"faded": True}

    def edge_style(child: Value, i: int, parent: Value, d: float) -> dict:
        hl = parent in on_path
        style: dict = {}
        if edge_labels or (edge_labels is None and hl):
            style["label"] = fmt(d)
        if hl:
            style.update(color=PATH_COLOR, penwidth="2.8", fontcolor=PATH_COLOR, **{"class": "hl"})
        elif targets:
            style.update(color=FADED, fontcolor=FADED_TEXT)
        return style

    def out_style(child: Value) -> dict:
        if any(type(p) is Value and p in on_path for p in child.parents):
            return {"color": PATH_COLOR, "penwidth": "2.8", "class": "hl"}
        return {"color": FADED} if targets else {}

    def grad_text(v: Value) -> str | None:
        return fmt(v.grad) if show_grad else None

    return _build(nodes, rankdir=rankdir, group=group, node_style=node_style, edge_style=edge_style,
                 out_style=out_style, grad_text=grad_text)


def _check_size(nodes: list, max_nodes: int | None, who: str, collapse_hint: bool = False,
               what: str = "values") -> None:
    """Raise a ValueError that says how to cut the graph if it has more than ``max_nodes`` values."""
    if max_nodes is None:
        return
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"{who}(max_nodes): expected a positive int or None, got {max_nodes!r}")
    if len(nodes) > max_nodes:
        collapse = (" Or collapse each neuron (each innermost scope) to one box: draw(..., collapse=True)."
                    if collapse_hint else "")
        raise ValueError(
            f"{who}(root): the graph has {len(nodes)} {what}, more than max_nodes={max_nodes}; Graphviz "
            f"would take long and the picture would be unreadable. Cut it down: draw the graph of ONE "
            f"sample (run the model on a single input and draw that loss, not the batch loss), draw a "
            f"part of it (one neuron's output, one layer), or cut it with .detach() (a detached value is "
            f"a new leaf, so what feeds it is not drawn).{collapse} Or pass max_nodes={len(nodes)} "
            f"(or None) to draw it anyway.")


# ---------------------------------------------------------------- the builder
def _esc(s: str) -> str:
    return html.escape(s, quote=True)


def _build(nodes: list[Value], *, rankdir: str = "LR", group: bool = True,
          node_style: Callable[[Value], dict] = lambda v: {},
          edge_style: Callable[[Value, int, Value, float], dict] = lambda c, i, p, d: {},
          out_style: Callable[[Value], dict] = lambda v: {},
          grad_text: Callable[[Value], str | None] = lambda v: None,
          cell_width: int | None = None, id_prefix: str = "") -> Drawing:
    """Internal: the Digraph of ``nodes`` (forward order), each element styled by the callbacks.

    ``node_style(v)``: keys ``color``, ``fill``, ``border``, ``faded``, ``class``.
    ``edge_style(child, i, parent, ∂child/∂parent)``: DOT edge attributes for the edge
    from a Value input to ``child``'s op circle. ``out_style(child)``: attributes of the
    edge from the op circle to ``child``'s box. ``grad_text(v)``: the grad row (None: no row).
    ``cell_width`` fixes the size of every box (the step-through frames share one layout).
    """
    names = node_names(nodes)
    g = Drawing(name="autograd_lite", graph_attr={
        "rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.35", "fontname": "DejaVu Sans",
        "bgcolor": "white", "id": f"{id_prefix}graph",
    }, node_attr={"fontname": "DejaVu Sans", "fontsize": "11"},
        edge_attr={"fontname": "DejaVu Sans", "fontsize": "9", "arrowsize": "0.6", "color": INK})
    ids: dict[Value, str] = {v: f"n{k}" for k, v in enumerate(nodes)}
    g._ids = ids

    # which (nested) cluster each node goes to
    clusters: dict[tuple[str, ...], list[Callable]] = {}

    def place(v: Value, stmt: Callable) -> None:
        key = _scope_levels(v.scope) if (group and v.scope) else ()
        clusters.setdefault(key, []).append(stmt)

    edges: list[tuple[str, str, dict]] = []
    for v in nodes:
        nid = ids[v]
        st = node_style(v)
        faded = st.get("faded", False)
        color = FADED if faded else st.get("color", INK)
        text = FADED_TEXT if faded else INK
        shown = names[v]
        if group and v.scope and shown.startswith(v.scope + "."):
            shown = shown[len(v.scope) + 1:]      # the cluster already says "layers.0.neurons.1"
        place(v, _value_node(nid, v, shown, st, color, text, grad_text(v), cell_width, id_prefix))
        prim = v.primitive
        if prim is None:
            continue
        opid = f"{nid}_op"
        op_attrs = {
            "label": prim.symbol, "shape": "circle" if len(prim.symbol) <= 2 else "ellipse",
            "width": "0.3", "height": "0.3", "margin": "0.02", "fontsize": "11",
            "color": color, "fontcolor": text, "ordering": "in", "id": f"{id_prefix}{opid}",
        }
        if not faded and "border" in st:
            op_attrs["penwidth"] = "2"
        place(v, _stmt(opid, op_attrs))
        partials = {i: d for i, _, d in edge_partials(v)}
        for i, p in enumerate(v.parents):
            if type(p) is Value:
                attrs = {k: str(x) for k, x in edge_style(v, i, p, partials[i]).items()}
                attrs["id"] = f"{id_prefix}{ids[p]}_{opid}_{i}"
                edges.append((ids[p], opid, attrs))
            else:
                cid = f"{nid}_c{i}"
                place(v, _stmt(cid, {"label": fmt(p), "shape": "plaintext", "fontsize": "9",
                                     "fontcolor": FADED_TEXT if faded else CONST_INK,
                                     "width": "0", "height": "0", "margin": "0.02",
                                     "id": f"{id_prefix}{cid}"}))
                edges.append((cid, opid, {"color": FADED, "arrowsize": "0.4", "id": f"{id_prefix}{cid}_e"}))
        attrs = {k: str(x) for k, x in out_style(v).items()}
        attrs["id"] = f"{id_prefix}{opid}_out"
        edges.append((opid, nid, attrs))

    _emit_clusters(g, clusters, id_prefix)
    for tail, head, attrs in edges:
        g.edge(tail, head, **attrs)
    return g


def _collapsed(nodes: list[Value], on_path: set, sources: set, *, rankdir: str, show_grad: bool,
               group: bool, max_nodes: int | None) -> Drawing:
    """``draw(..., collapse=True)``: one box per innermost scope, one per unscoped value."""
    names = node_names(nodes)
    box: dict[Value, str] = {}
    members: dict[str, list[Value]] = {}
    scope_of: dict[str, str | None] = {}
    for k, v in enumerate(nodes):
        bid = f"s:{v.scope}" if v.scope else f"n{k}"
        box[v] = bid
        members.setdefault(bid, []).append(v)
        scope_of[bid] = v.scope
    _check_size(list(members), max_nodes, "draw", what="boxes even with collapse=True")
    ids = {bid: f"b{j}" for j, bid in enumerate(members)}
    root = nodes[-1]
    # the values a scope passes on: used outside it, or the root itself
    shown: dict[str, list[Value]] = {bid: [] for bid in members}
    edges: dict[tuple[str, str], bool] = {}
    for v in nodes:
        for p in v.parents:
            if type(p) is Value and box[p] != box[v]:
                if p not in shown[box[p]]:
                    shown[box[p]].append(p)
                edges[(box[p], box[v])] = edges.get((box[p], box[v]), False) or p in on_path
    if root not in shown[box[root]]:
        shown[box[root]].append(root)
    highlighting = bool(sources)
    g = Drawing(name="autograd_lite", graph_attr={
        "rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.45", "fontname": "DejaVu Sans",
        "bgcolor": "white"}, node_attr={"fontname": "DejaVu Sans", "fontsize": "11"},
        edge_attr={"arrowsize": "0.6", "color": INK})
    g._ids = {v: ids[box[v]] for v in nodes}
    clusters: dict[tuple[str, ...], list[Callable]] = {}
    # unscoped boxes in graph order, then the scopes in natural order (neurons.2 before neurons.10)
    rank = {b: k for k, b in enumerate(members)}
    order = sorted(members, key=lambda b: (0, [], rank[b]) if scope_of[b] is None
                   else (1, _natural(scope_of[b]), 0))
    for bid in order:
        vs = members[bid]
        hl = any(v in on_path for v in vs)
        src = any(v in sources for v in vs)
        faded = highlighting and not hl
        color = FADED if faded else (PATH_COLOR if hl else INK)
        text = FADED_TEXT if faded else INK
        fill = SOURCE_FILL if src else (PATH_FILL if hl else "white")
        sc = scope_of[bid]
        key = _scope_levels(sc)[:-1] if (group and sc) else ()
        title = sc[len(".".join(key)) + 1:] if key else (sc or names[vs[0]])
        if not sc and vs[0].primitive is not None:
            title += f" ({vs[0].primitive.symbol})"
        rows = [f'<TR><TD><FONT COLOR="{text}"><B>{_esc(title)}</B></FONT></TD></TR>']
        if sc:
            rows.append(f'<TR><TD><FONT COLOR="{FADED_TEXT if faded else "#6b6b6b"}" POINT-SIZE="9">'
                        f'{len(vs)} values</FONT></TD></TR>')
        for v in shown[bid][:3]:
            who = ""
            if sc:     # a neuron's output is unlabelled: call it "out"
                who = "out: " if names[v].startswith("#") else f"{names[v].removeprefix(sc + '.')}: "
            line = f"{who}data {fmt(v.data)}" + (f", grad {fmt(v.grad)}" if show_grad else "")
            rows.append(f'<TR><TD><FONT COLOR="{text}">{_esc(line)}</FONT></TD></TR>')
        if len(shown[bid]) > 3:
            rows.append(f'<TR><TD><FONT COLOR="{text}">… {len(shown[bid]) - 3} more</FONT></TD></TR>')
        label = (f'<<TABLE BORDER="{3 if src else (2 if hl else 1)}" CELLBORDER="0" CELLSPACING="0" '
                 f'CELLPADDING="2" COLOR="{color}" BGCOLOR="{"white" if faded else fill}" STYLE="rounded">'
                 f'{"".join(rows)}</TABLE>>')
        attrs = {"label": label, "shape": "none", "margin": "0", "id": ids[bid]}
        if hl:
            attrs["class"] = "hl source" if src else "hl"
        clusters.setdefault(key, []).append(_stmt(ids[bid], attrs))
    _emit_clusters(g, clusters, "")
    for (a, b), hl in edges.items():
        if hl:
            g.edge(ids[a], ids[b], color=PATH_COLOR, penwidth="2.8", **{"class": "hl"})
        else:
            g.edge(ids[a], ids[b], **({"color": FADED} if highlighting else {}))
    return g


def _stmt(nid: str, attrs: dict) -> Callable:
    return lambda graph: graph.node(nid, **attrs)


def _value_node(nid: str, v: Value, name: str, st: dict, color: str, text: str, grad: str | None,
                cell_width: int | None, id_prefix: str) -> Callable:
    labelled = bool(v.label)
    fixed = f' WIDTH="{cell_width}" HEIGHT="17" FIXEDSIZE="TRUE"' if cell_width else ""
    title_color = text if labelled else (FADED_TEXT if text == FADED_TEXT else "#6b6b6b")
    title = f"<B>{_esc(name)}</B>" if labelled else f"<I>{_esc(name)}</I>"
    rows = [f'<TR><TD{fixed}><FONT COLOR="{title_color}">{title}</FONT></TD></TR>',
            f'<TR><TD{fixed}><FONT COLOR="{text}">data {_esc(fmt(v.data))}</FONT></TD></TR>']
    if grad is not None:
        rows.append(f'<TR><TD{fixed}><FONT COLOR="{text}">grad {_esc(grad)}</FONT></TD></TR>')
    fill = "white" if st.get("faded") else st.get("fill", "white")
    border = st.get("border", 1)
    # rounded corners cost a long SVG path per box: the stepper (one SVG per step) goes without
    style = "" if cell_width else ' STYLE="rounded"'
    label = (f'<<TABLE BORDER="{border}" CELLBORDER="0" CELLSPACING="0" CELLPADDING="2" '
             f'COLOR="{color}" BGCOLOR="{fill}"{style}>{"".join(rows)}</TABLE>>')
    attrs = {"label": label, "shape": "none", "margin": "0", "id": f"{id_prefix}{nid}"}
    if "class" in st:
        attrs["class"] = st["class"]
    tooltip = f"{name}: data {fmt(v.data, 10)}"
    if v.primitive is not None:
        tooltip += f", made by {v.primitive.name}"
    attrs["tooltip"] = graphviz.escape(tooltip)
    return _stmt(nid, attrs)


def _natural(name: str) -> list:
    """Sort key putting "neurons.2" before "neurons.10"."""
    return [(0, int(t), "") if t.isdigit() else (1, 0, t) for t in re.split(r"(\d+)", name)]


def _scope_levels(scope: str) -> tuple[str, ...]:
    """The nested boxes of a dotted scope: a number stays with the name before it.

    "layer1.neuron3" -> ("layer1", "neuron3"); "layers.0.neurons.3" -> ("layers.0", "neurons.3").
    """
    levels: list[str] = []
    for part in scope.split("."):
        if part.isdigit() and levels:
            levels[-1] = f"{levels[-1]}.{part}"
        else:
            levels.append(part)
    return tuple(levels)


def _emit_clusters(g: graphviz.Digraph, clusters: dict, id_prefix: str) -> None:
    """Add the node statements, nesting a cluster per dotted scope part."""
    tree: dict = {}
    for key in clusters:
        node = tree
        for part in key:
            node = node.setdefault(part, {})
    counter = [0]

    def emit(graph, prefix: tuple[str, ...], children: dict) -> None:
        for stmt in clusters.get(prefix, []):
            stmt(graph)
        for part, sub in sorted(children.items(), key=lambda kv: _natural(kv[0])):
            key = prefix + (part,)
            counter[0] += 1
            with graph.subgraph(name=f"cluster_{counter[0]}") as c:
                depth = min(len(key), len(CLUSTER_FILLS)) - 1
                c.attr(label=".".join(key), style="rounded,filled", color="#9aa8c0",
                       fillcolor=CLUSTER_FILLS[depth], fontsize="10", fontcolor="#44506a",
                       labeljust="l", id=f"{id_prefix}cluster_{'.'.join(key)}")
                emit(c, key, sub)

    emit(g, (), tree)
