"""backward_steps: the backward pass one node at a time, bit for bit the same as backward().

render_steps: the self-contained HTML stepper (needs dot; the browser test is in
test_stepper_browser.py).
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from _randgraph import random_graph

from autograd_lite import Value, backward_order
from autograd_lite._graph import nodes_of
from autograd_lite.draw import GraphvizNotFoundError
from autograd_lite.examples import lecture_network
from autograd_lite.steps import BackwardStep, StepsPage, backward_steps, render_steps


def _grads(nodes):
    return [v.grad for v in nodes]


def _reset(nodes, values):
    for v, g in zip(nodes, values):
        v.grad = g


@pytest.mark.parametrize("seed", range(40))
def test_steps_leave_exactly_the_grads_of_backward(seed):
    root, leaves, _ = random_graph(seed, n_leaves=int(2 + seed % 4), n_ops=int(6 + seed % 17))
    nodes = nodes_of(root)
    rng = np.random.default_rng(seed)
    # leaves hold old gradients (they accumulate), intermediates garbage (they are reset)
    start = [float(rng.normal()) for _ in nodes]
    _reset(nodes, start)
    root.backward()
    expected = _grads(nodes)
    _reset(nodes, start)
    steps = list(backward_steps(root))
    assert _grads(nodes) == expected                     # exact, not approx
    # twice: leaves accumulate the same way
    root.backward()
    expected2 = _grads(nodes)
    _reset(nodes, expected)
    for _ in backward_steps(root):
        pass
    assert _grads(nodes) == expected2
    # one step per node with an op, in backward_order
    assert [s.node for s in steps] == [v for v in backward_order([root]) if v.primitive is not None]
    assert [s.index for s in steps] == list(range(len(steps)))


@pytest.mark.parametrize("seed", range(10))
def test_each_contribution_is_grad_times_local_derivative(seed):
    root, _, _ = random_graph(100 + seed)
    for s in backward_steps(root):
        assert isinstance(s, BackwardStep)
        if s.skipped:
            assert s.grad == 0.0 and s.contributions == ()
            continue
        assert s.grad == s.node.grad      # a node's grad is final when its step comes
        for c in s.contributions:
            assert c.added == s.grad * c.local
            assert c.after == c.before + c.added
            assert s.node.parents[c.index] is c.parent


def test_reused_node_shows_both_additions():
    x = Value(2.0, label="x")
    y = Value(-3.0, label="y")
    u = x * y
    L = u + x          # x is used twice: once by u, once by L
    steps = list(backward_steps(L))
    assert [s.node for s in steps] == [L, u]
    (cu, cx_L), (cx_u, cy_u) = (steps[0].contributions, steps[1].contributions)
    assert cu.parent is u and cu.after == 1.0
    assert cx_L.parent is x and cx_L.before == 0.0 and cx_L.after == 1.0
    assert cx_u.parent is x and cx_u.before == 1.0 and cx_u.local == -3.0 and cx_u.after == -2.0
    assert cy_u.local == 2.0 and cy_u.after == 2.0
    assert x.grad == -2.0 and y.grad == 2.0   # d(xy + x)/dx = y + 1


def test_same_parent_twice_in_one_op():
    x = Value(3.0, label="x")
    sq = x * x
    (step,) = list(backward_steps(sq))
    assert [c.index for c in step.contributions] == [0, 1]
    assert [c.after for c in step.contributions] == [3.0, 6.0]
    assert x.grad == 6.0


def test_leaf_root_is_seeded_and_accumulates():
    x = Value(1.5, label="x")
    x.grad = 2.0
    assert list(backward_steps(x)) == []
    assert x.grad == 3.0


def test_zero_gradient_is_skipped_like_backward():
    # relu(-1) passes 0 back; sqrt(0) below it has an infinite derivative that must not be evaluated
    x = Value(0.0, label="x")
    r = (x.sqrt() - 1.0).relu()
    steps = list(backward_steps(r))
    assert [s.skipped for s in steps] == [False, True, True]
    assert x.grad == 0.0
    x.grad = 0.0
    r.backward()
    assert x.grad == 0.0


def test_backward_steps_rejects_non_values():
    with pytest.raises(TypeError, match="backward_steps\\(root\\)"):
        backward_steps(1.0)


def test_step_str_shows_the_addition():
    x = Value(2.0, label="x")
    L = x * 3.0
    L.label = "L"
    (s,) = list(backward_steps(L))
    text = str(s)
    assert "L (mul) receives grad 1" in text and "1 · 3 = 3" in text and "0 → 3" in text


# ---------------------------------------------------------------- the HTML stepper
def _frames(text: str) -> list[str]:
    return re.findall(r'<div class="frame" id="frame-\d+"[^>]*>(.*?)</div>', text, flags=re.S)


def _node_positions(svg: str) -> dict[str, str]:
    """For each node (by DOT name), the coordinates of the first shape drawn for it."""
    out = {}
    node = r'<g id="[^"]*" class="node[^"]*">\s*<title>([^<]*)</title>(.*?)</g>'
    for m in re.finditer(node, svg, flags=re.S):
        shape = re.search(r'\b(?:d|points|cx|x)="([^"]*)"', m.group(2))
        out[m.group(1)] = shape.group(1)
    return out


@pytest.mark.needs_dot
def test_render_steps_writes_a_self_contained_page(tmp_path):
    L, P = lecture_network()
    nodes = nodes_of(L)
    page = render_steps(L, tmp_path / "steps.html")
    assert isinstance(page, StepsPage)
    text = (tmp_path / "steps.html").read_text(encoding="utf-8")
    assert text == page.html and page.path == tmp_path / "steps.html"
    n_steps = sum(1 for v in nodes if v.primitive is not None)
    frames = _frames(text)
    assert len(frames) == page.frames == n_steps + 2          # start, one per step, done
    for svg in frames:
        ET.fromstring(svg)                                    # each frame is well-formed SVG
    # nothing is fetched: no src/href/url() to anything outside the file
    assert not re.search(r'(?:src|href)\s*=\s*["\']?(?:https?:|//|file:)', text)
    assert "url(" not in text and "@import" not in text and "<link" not in text
    # the backward pass ran: grads as backward() leaves them
    got = [v.grad for v in nodes]
    for v in nodes:
        v.grad = 0.0
    L.backward()
    assert got == [v.grad for v in nodes]
    # the current node of frame k+1 is step k's node (DOT names from the drawing order)
    order = [v for v in backward_order([L]) if v.primitive is not None]
    ids = {v: f"n{k}" for k, v in enumerate(nodes)}
    for k, svg in enumerate(frames[1:-1]):
        cur = re.findall(r'class="node current">\s*<title>([^<]*)</title>', svg)
        assert cur == [ids[order[k]]]
    assert "class=\"node current\"" not in frames[0] + frames[-1]
    # every frame has the same layout, so stepping does not make the picture jump
    first = _node_positions(frames[0])
    assert len(first) > len(nodes)
    for svg in frames[1:]:
        assert _node_positions(svg) == first
    assert "<iframe srcdoc=" in page._repr_html_()


@pytest.mark.needs_dot
def test_render_steps_is_atomic_and_checks_its_path(tmp_path):
    x = Value(2.0, label="x")
    L = (x * x).tanh()
    with pytest.raises(ValueError, match=r"\.html"):
        render_steps(L, tmp_path / "steps.txt")
    with pytest.raises(FileNotFoundError, match="does not exist"):
        render_steps(L, tmp_path / "nope" / "steps.html")
    render_steps(L, tmp_path / "s.html")
    assert [p.name for p in tmp_path.iterdir()] == ["s.html"]     # no temporary file left behind


def test_render_steps_refuses_big_graphs(tmp_path):
    x = Value(0.1)
    y = x
    for _ in range(200):
        y = y * 1.01
    with pytest.raises(ValueError, match="201 values, more than max_nodes=150"):
        render_steps(y, tmp_path / "big.html")


def test_render_steps_without_dot_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))          # no dot on PATH
    x = Value(2.0, label="x")
    x.grad = 5.0
    with pytest.raises(GraphvizNotFoundError, match="apt install graphviz"):
        render_steps(x * x, tmp_path / "s.html")
    assert not (tmp_path / "s.html").exists()
    assert x.grad == 5.0                                 # the failed call ran no backward pass


@pytest.mark.needs_dot
def test_jupyter_shows_the_stepper_inline(tmp_path):
    from IPython.core.interactiveshell import InteractiveShell

    x = Value(2.0, label="x")
    page = render_steps((x * x).tanh(), tmp_path / "s.html")
    data, _ = InteractiveShell.instance().display_formatter.format(page)
    frame = data["text/html"]
    assert frame.startswith("<iframe srcdoc=") and 'id="next"' not in frame      # escaped inside srcdoc
    assert html.unescape(frame.split('srcdoc="', 1)[1].split('" style=', 1)[0]) == page.html
