"""draw: the DOT it writes (bold paths, labels, clusters, constants), rendering, and its errors."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import graphviz
import pytest
from _randgraph import random_graph

from autograd_lite import Value, scope
from autograd_lite._graph import edge_partials, fmt, nodes_of
from autograd_lite.draw import Drawing, GraphvizNotFoundError, draw
from autograd_lite.examples import lecture_network

_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<(?:[^<>]|<[^<>]*>)*>|[^\s\]]+)')


def parse_edges(source: str) -> list[tuple[str, str, dict]]:
    """(tail, head, attributes) of every edge statement of a DOT source."""
    edges = []
    for line in source.splitlines():
        m = re.match(r'\s*("?[\w.-]+"?) -> ("?[\w.-]+"?)(?: \[(.*)\])?\s*$', line)
        if m:
            attrs = {k: v.strip('"') for k, v in _ATTR.findall(m.group(3) or "")}
            edges.append((m.group(1).strip('"'), m.group(2).strip('"'), attrs))
    return edges


def parse_nodes(source: str) -> dict[str, dict]:
    nodes = {}
    for line in source.splitlines():
        m = re.match(r'\s*("?[\w.-]+"?) \[(.*)\]\s*$', line)
        if m and m.group(1) not in ("graph", "node", "edge"):
            nodes[m.group(1).strip('"')] = {k: v.strip('"') for k, v in _ATTR.findall(m.group(2))}
    return nodes


def bold_edges(g: Drawing) -> set[tuple[str, str, str]]:
    return {(t, h, a.get("id", "")) for t, h, a in parse_edges(g.source) if float(a.get("penwidth", 1)) >= 2}


def expected_bold(g: Drawing, root: Value, sources: list[Value]) -> set[tuple[str, str, str]]:
    """The DOT edges on every path source → root, by enumerating the paths (small graphs only)."""
    edges: set[tuple[Value, Value, int]] = set()

    def walk(v: Value, trail: list) -> None:
        if v is root:
            edges.update(trail)
            return
        for c in nodes_of(root):
            for i, p in enumerate(c.parents):
                if p is v:
                    walk(c, trail + [(v, c, i)])

    for s in sources:
        walk(s, [])
    out = set()
    for p, c, i in edges:
        pid, cid = g.node_id(p), g.node_id(c)
        out.add((pid, f"{cid}_op", f"{pid}_{cid}_op_{i}"))
        out.add((f"{cid}_op", cid, f"{cid}_op_out"))
    return out


def test_diamond_highlight():
    x = Value(0.7, label="x")
    a = x * 2.0
    b = x.sin()
    c = a * b
    c.label = "c"
    c.backward()
    g = draw(c, highlight=x)
    assert isinstance(g, graphviz.Digraph)
    bold = bold_edges(g)
    assert bold == expected_bold(g, c, [x])
    assert len(bold) == 7          # x→a, x→b, a→c, b→c (value→op) and into a, b, c (op→value)
    # each bold value→op edge carries its local derivative, from the primitive table
    labels = {a["id"]: a.get("label") for _, _, a in parse_edges(g.source)}
    for v in (a, b, c):
        for i, p, d in edge_partials(v):
            assert labels[f"{g.node_id(p)}_{g.node_id(v)}_op_{i}"] == fmt(d)
    assert labels[f"{g.node_id(x)}_{g.node_id(b)}_op_0"] == fmt(__import__("math").cos(0.7))


def test_reused_node_same_parent_twice():
    x = Value(1.5, label="x")
    y = x * x + x          # x enters mul twice and add once
    y.backward()
    g = draw(y, highlight=x)
    bold = bold_edges(g)
    assert bold == expected_bold(g, y, [x])
    mul_in = [e for e in bold if e[1].endswith("_op") and e[0] == g.node_id(x)]
    assert len(mul_in) == 3     # two into the mul, one into the add


def test_lecture_hidden_weight_two_bold_paths():
    L, P = lecture_network()
    L.backward()
    g = draw(L, highlight=P["w11h"])
    bold = bold_edges(g)
    assert bold == expected_bold(g, L, [P["w11h"]])
    # the two paths share w→(w·x)→z₁⁽ʰ⁾→a₁⁽ʰ⁾, then split through each output into L
    nodes = parse_nodes(g.source)
    assert nodes[g.node_id(P["a1s"])].get("class") == "hl"
    assert nodes[g.node_id(P["a2s"])].get("class") == "hl"
    assert nodes[g.node_id(P["w11h"])].get("class") == "hl source"
    # off-path nodes are faded
    assert "#c4c4c4" in nodes[g.node_id(P["w11s"])]["label"]
    # output weight: one path only
    g1 = draw(L, highlight=P["w11s"])
    assert bold_edges(g1) == expected_bold(g1, L, [P["w11s"]])
    assert len(bold_edges(g1)) == 2 * 6       # w→prod→z→a→(y−a)→()²→L: 6 edges, each value→op + op→value


def test_highlight_an_intermediate_node_and_a_list():
    L, P = lecture_network()
    a1h = next(v for v in nodes_of(L) if v.label == "a₁⁽ʰ⁾")
    g = draw(L, highlight=a1h)
    bold = bold_edges(g)
    assert bold == expected_bold(g, L, [a1h])
    # the edge into a₁⁽ʰ⁾ itself is not on a path from it
    assert (f"{g.node_id(a1h)}_op", g.node_id(a1h), f"{g.node_id(a1h)}_op_out") not in bold
    both = [P["w11s"], P["b2s"]]
    g2 = draw(L, highlight=both)
    assert bold_edges(g2) == expected_bold(g2, L, both)


@pytest.mark.parametrize("seed", range(8))
def test_random_graph_bold_edges(seed):
    root, leaves, _ = random_graph(seed, n_leaves=3, n_ops=8)
    nodes = set(nodes_of(root))
    src = [v for v in leaves if v in nodes][:1]
    g = draw(root, highlight=src)
    assert bold_edges(g) == expected_bold(g, root, src)


def test_edge_labels_switch():
    x = Value(0.5, label="x")
    y = (x * 3.0).tanh()
    y.backward()
    value_edges = lambda g: [a for t, h, a in parse_edges(g.source) if h.endswith("_op") and "_c" not in t]
    assert all("label" in a for a in value_edges(draw(y, edge_labels=True)))
    assert not any("label" in a for a in value_edges(draw(y, edge_labels=False)))
    assert not any("label" in a for a in value_edges(draw(y)))         # nothing highlighted
    assert all("label" in a for a in value_edges(draw(y, highlight=x)))


def test_nodes_show_label_data_grad_and_constants_are_small_nodes():
    x = Value(0.5, label="x")
    y = x * 2.0
    y.label = "y"
    y.backward()
    g = draw(y)
    nodes = parse_nodes(g.source)
    xl = nodes[g.node_id(x)]["label"]
    assert "<B>x</B>" in xl and "data 0.5" in xl and "grad 2" in xl
    assert "grad " not in draw(y, show_grad=False).source
    const = nodes[f"{g.node_id(y)}_c1"]
    assert const["label"] == "2" and const["shape"] == "plaintext"
    assert nodes[f"{g.node_id(y)}_op"]["label"] == "*"
    assert (f"{g.node_id(y)}_c1", f"{g.node_id(y)}_op") in {(t, h) for t, h, _ in parse_edges(g.source)}


def test_same_graph_same_source():
    a = draw(lecture_network()[0]).source
    b = draw(lecture_network()[0]).source
    assert a == b


def test_nested_clusters_from_scopes():
    x = Value(1.0, label="x")
    with scope("layer1"):
        with scope("neuron1"):
            w = Value(0.3, label="w")
            z = (w * x).tanh()
        with scope("neuron2"):
            u = Value(-0.2, label="u")
            q = (u * x).tanh()
    L = z + q
    src = draw(L).source
    labels = re.findall(r"label=\"?([\w.]+)\"? labeljust", src)
    assert labels == ["layer1", "layer1.neuron1", "layer1.neuron2"]
    # neuron clusters are nested inside the layer cluster: they open before the layer closes
    lines = src.splitlines()
    depth, seen = 0, {}
    for line in lines:
        if "subgraph cluster" in line:
            depth += 1
        m = re.search(r"label=\"?([\w.]+)\"? labeljust", line)
        if m:
            seen[m.group(1)] = depth
        if line.strip() == "}":
            depth -= 1
    assert seen == {"layer1": 1, "layer1.neuron1": 2, "layer1.neuron2": 2}
    assert "subgraph" not in draw(L, group=False).source


def test_bad_input_errors():
    x = Value(1.0, label="x")
    other = Value(2.0, label="other")
    y = x * 2.0
    with pytest.raises(ValueError, match="draw\\(highlight\\).*not in the graph of root"):
        draw(y, highlight=other)
    with pytest.raises(ValueError, match="draw\\(highlight\\[1\\]\\)"):
        draw(y, highlight=[x, other])
    with pytest.raises(TypeError, match="draw\\(highlight\\[0\\]\\)"):
        draw(y, highlight=[1.0])
    with pytest.raises(TypeError, match="draw\\(root\\)"):
        draw(3.0)
    with pytest.raises(ValueError, match="rankdir"):
        draw(y, rankdir="XY")
    with pytest.raises(ValueError, match="max_nodes"):
        draw(y, max_nodes=0)


def test_too_many_nodes_refused_with_advice():
    x = Value(0.5, label="x")
    y = x
    for _ in range(600):
        y = y * 1.001
    with pytest.raises(ValueError) as e:
        draw(y)
    msg = str(e.value)
    assert "601 values, more than max_nodes=500" in msg and "ONE sample" in msg and "detach" in msg
    assert len(draw(y, max_nodes=None).source) > 0


def test_missing_dot_gives_install_instructions(tmp_path, monkeypatch):
    x = Value(0.5, label="x")
    y = (x * 2.0).tanh()
    monkeypatch.setenv("PATH", str(tmp_path))       # a PATH without dot
    g = draw(y)
    assert g.source.startswith("digraph")           # the Digraph is still made
    for attempt in (lambda: g.render(tmp_path / "g", format="png"), lambda: g.pipe(format="svg"),
                    lambda: g._repr_mimebundle_()):
        with pytest.raises(GraphvizNotFoundError) as e:
            attempt()
        msg = str(e.value)
        assert "apt install graphviz" in msg and "brew install graphviz" in msg
        assert "conda install -c conda-forge graphviz" in msg
        assert isinstance(e.value, graphviz.ExecutableNotFound)


@pytest.mark.needs_dot
def test_render_svg_and_png(tmp_path):
    L, P = lecture_network()
    L.backward()
    g = draw(L, highlight=P["w11h"])
    png = g.render(tmp_path / "graph", format="png")
    with open(png, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"
    svg_path = g.render(tmp_path / "graph", format="svg")
    root = ET.parse(svg_path).getroot()
    assert root.tag.endswith("svg")
    svg = open(svg_path, encoding="utf-8").read()
    # every value box is in the picture, and the bold edges are bold there too
    assert len(re.findall(r'class="node hl', svg)) == len(
        [v for v in nodes_of(L) if v in _descendants(L, P["w11h"])])
    assert len(re.findall(r'class="edge hl"', svg)) == len(bold_edges(g))
    assert "image/svg+xml" in g._repr_mimebundle_()


def _descendants(root, src):
    out = {src}
    for v in nodes_of(root):
        if any(p in out for p in v.parents if type(p) is Value):
            out.add(v)
    return out


def test_leaf_root_and_copy():
    x = Value(2.0, label="x")
    g = draw(x)
    assert list(parse_nodes(g.source)) == ["n0"] and parse_edges(g.source) == []
    y = x * x
    g = draw(y, highlight=x)
    assert g.copy().node_id(x) == g.node_id(x) == "n0"
    with pytest.raises(KeyError, match="not in the drawing"):
        g.node_id(Value(1.0))


@pytest.mark.needs_dot
def test_labels_with_markup_characters_render(tmp_path):
    a = Value(1.0, label='a<b&c "q" \\n ]')
    b = a * 2.0
    b.label = "x}{y|"
    svg = draw(b, highlight=a).pipe(format="svg").decode("utf-8")
    ET.fromstring(svg.encode("utf-8"))
    assert "a&lt;b&amp;c" in svg and "x}{y|" in svg


def _tiny_mlp():
    """2 inputs, layer1 of two tanh neurons, layer2 of one, squared error: scopes as nn makes them."""
    xs = [Value(0.5, label="x1"), Value(-1.0, label="x2")]
    acts, params = xs, []
    for layer, (n, nin) in enumerate([(2, 2), (1, 2)], 1):
        out = []
        for j in range(n):
            with scope(f"layer{layer}"), scope(f"neuron{j + 1}"):
                ws = [Value(0.1 * (i + 1) * (j + 1) * (-1) ** layer) for i in range(nin)]
                params += ws
                out.append(Value.sum([w * a for w, a in zip(ws, acts)] + [0.1]).tanh())
        acts = out
    L = (acts[0] - 1.0) ** 2
    L.label = "L"
    L.backward()
    return L, xs, params


def test_collapse_draws_one_box_per_neuron():
    L, xs, params = _tiny_mlp()
    g = draw(L, collapse=True, highlight=params[0])          # a weight of layer1.neuron1
    nodes = parse_nodes(g.source)
    titles = sorted(re.search(r"<B>(.*?)</B>", a["label"]).group(1) for a in nodes.values())
    # inside the layer boxes the neuron boxes are named relative to them; L's input is unlabelled
    named = sorted(t for t in titles if not t.startswith("#"))
    assert named == sorted(["x1", "x2", "neuron1", "neuron2", "neuron1", "L (**)"])
    assert [t for t in titles if t.startswith("#")] == [f"#{len(nodes_of(L)) - 2} (-)"]
    box = lambda v: g.node_id(v)
    n11, n12, n21 = (box(p) for p in (params[0], params[2], params[4]))
    assert len({n11, n12, n21}) == 3
    edges = {(t, h) for t, h, _ in parse_edges(g.source)}
    x1, x2 = box(xs[0]), box(xs[1])
    sub = box(L.parents[0])
    assert edges == {(x1, n11), (x2, n11), (x1, n12), (x2, n12), (n11, n21), (n12, n21), (n21, sub),
                     (sub, box(L))}
    bold = {(t, h) for t, h, a in parse_edges(g.source) if float(a.get("penwidth", 1)) >= 2}
    assert bold == {(n11, n21), (n21, sub), (sub, box(L))}
    assert "layer1" in g.source and "subgraph cluster" in g.source
    assert "subgraph" not in draw(L, collapse=True, group=False).source


def test_collapse_is_counted_against_max_nodes():
    L, _, _ = _tiny_mlp()
    with pytest.raises(ValueError, match="collapse=True") as e:
        draw(L, max_nodes=5)
    assert "values, more than max_nodes=5" in str(e.value)
    with pytest.raises(ValueError, match="7 boxes even with collapse=True"):
        draw(L, max_nodes=5, collapse=True)
    assert draw(L, max_nodes=7, collapse=True).source


@pytest.mark.needs_dot
def test_collapse_renders(tmp_path):
    L, _, params = _tiny_mlp()
    png = draw(L, collapse=True, highlight=params).render(tmp_path / "c", format="png")
    with open(png, "rb") as fh:
        assert fh.read(8) == b"\x89PNG\r\n\x1a\n"


@pytest.mark.needs_dot
def test_jupyter_shows_the_drawing_as_svg():
    from IPython.core.interactiveshell import InteractiveShell

    x = Value(2.0, label="x")
    y = (x * x).tanh()
    y.backward()
    data, _ = InteractiveShell.instance().display_formatter.format(draw(y, highlight=x))
    ET.fromstring(data["image/svg+xml"].encode("utf-8"))
    assert 'class="node hl source"' in data["image/svg+xml"]
