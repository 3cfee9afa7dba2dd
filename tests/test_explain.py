"""explain: the chain rule for ∂root/∂wrt, path by path, against backward(), brute force and the lecture."""

from __future__ import annotations

import math

import numpy as np
import pytest
from _randgraph import random_graph

from autograd_lite import Value
from autograd_lite._graph import nodes_of
from autograd_lite.examples import lecture_network
from autograd_lite.explain import MAX_PATHS, explain


def brute_paths(root: Value, wrt: Value) -> list[tuple[Value, ...]]:
    """Every path wrt → root, by plain recursion from the root down.

    A node used twice by one op (x * x) gives two paths.
    """
    if root is wrt:
        return [(wrt,)]
    out = []
    for p in root.parents:
        if type(p) is Value:
            out += [path + (root,) for path in brute_paths(p, wrt)]
    return out


def _close(total: float, grad: float, products) -> bool:
    # rounding error of a sum is bounded by the sum of the absolute values of its terms
    return math.isclose(total, grad, rel_tol=1e-12, abs_tol=1e-12 * sum(abs(p) for p in products))


@pytest.mark.parametrize("seed", range(30))
def test_total_equals_grad_and_paths_match_brute_force(seed):
    root, leaves, pool = random_graph(seed, n_leaves=3, n_ops=int(5 + seed % 9))
    root.backward()
    rng = np.random.default_rng(seed)
    nodes = nodes_of(root)
    for wrt in list(leaves) + [nodes[int(rng.integers(len(nodes)))]]:
        if wrt not in set(nodes):
            continue
        brute = brute_paths(root, wrt)
        ex = explain(root, wrt, max_paths=10_000)
        assert ex.count == len(brute)
        assert ex.enumerated
        assert sorted(tuple(id(v) for v in p.nodes) for p in ex.paths) == \
            sorted(tuple(id(v) for v in p) for p in brute)
        for p in ex.paths:
            assert p.product == math.prod(f.value for f in p.factors)
            # factors run from the root end down to wrt
            assert [f.child for f in p.factors] == list(reversed(p.nodes[1:]))
            assert [f.parent for f in p.factors] == list(reversed(p.nodes[:-1]))
        if wrt.is_leaf():
            assert _close(ex.total, wrt.grad, [p.product for p in ex.paths]), (ex.total, wrt.grad)
        # counting alone (no list) gives the same count and the same total
        counted = explain(root, wrt, max_paths=0)
        assert not counted.enumerated
        assert counted.count == ex.count and counted.paths == ()
        assert _close(counted.total, ex.total, [p.product for p in ex.paths])


def test_lecture_output_weight_has_one_path():
    L, P = lecture_network()
    L.backward()
    ex = explain(L, P["w11s"])
    assert ex.count == 1 and len(ex.paths) == 1
    a1s, a1h = P["a1s"].data, lecture_network_hidden_a1()
    y1 = 0.0
    # the lecture: ∂L/∂w₁,₁⁽ˢ⁾ = 2(a₁⁽ˢ⁾ − y₁) · a₁⁽ˢ⁾(1 − a₁⁽ˢ⁾) · a₁⁽ʰ⁾
    by_hand = 2 * (a1s - y1) * a1s * (1 - a1s) * a1h
    assert math.isclose(ex.total, by_hand, rel_tol=1e-12)
    assert math.isclose(ex.total, P["w11s"].grad, rel_tol=1e-12)
    names = [v.label for v in ex.paths[0].nodes]
    assert names[0] == "w₁,₁⁽ˢ⁾" and names[-1] == "L" and "z₁⁽ˢ⁾" in names and "a₁⁽ˢ⁾" in names
    text = str(ex)
    assert "1 path:" in text and "equal" in text and "∂a₁⁽ˢ⁾/∂z₁⁽ˢ⁾" in text


def lecture_network_hidden_a1() -> float:
    x1, x2 = 0.35, 0.9
    z = 0.15 * x1 + 0.20 * x2 + 0.35
    return 1 / (1 + math.exp(-z))


def test_lecture_hidden_weight_has_two_paths_summed():
    L, P = lecture_network()
    L.backward()
    ex = explain(L, P["w11h"])
    assert ex.count == 2
    via = [next(v.label for v in p.nodes if v.label.startswith("a") and "⁽ˢ⁾" in v.label) for p in ex.paths]
    assert sorted(via) == ["a₁⁽ˢ⁾", "a₂⁽ˢ⁾"]               # one path through each output
    # each path is the lecture's product: ∂L/∂aₖ⁽ˢ⁾ · aₖ(1−aₖ) · wₖ₁⁽ˢ⁾ · a₁⁽ʰ⁾(1−a₁⁽ʰ⁾) · x₁
    a1h = lecture_network_hidden_a1()
    outs = {"a₁⁽ˢ⁾": (P["a1s"].data, 0.0, 0.40), "a₂⁽ˢ⁾": (P["a2s"].data, 1.0, 0.50)}
    for p, name in zip(ex.paths, via):
        a, y, w = outs[name]
        by_hand = 2 * (a - y) * a * (1 - a) * w * a1h * (1 - a1h) * 0.35
        assert math.isclose(p.product, by_hand, rel_tol=1e-12)
    assert math.isclose(ex.total, P["w11h"].grad, rel_tol=1e-12)
    text = str(ex)
    assert "2 paths:" in text and "sum over paths:" in text and text.count("path ") >= 2


def test_exponentially_many_paths_are_counted_not_listed():
    x = Value(0.9, label="x")
    y = x
    for _ in range(60):           # each step doubles the number of paths: 2**60 of them
        y = y * 0.5 + y * 0.5
    y.backward()
    ex = explain(y, x)
    assert ex.count == 2 ** 60 and not ex.enumerated and ex.paths == ()
    assert math.isclose(ex.total, x.grad, rel_tol=1e-12)
    assert "too many to list" in str(ex) and str(2 ** 60) in str(ex)
    assert MAX_PATHS == ex.max_paths


def test_root_is_wrt():
    x = Value(3.0, label="x")
    ex = explain(x, x)
    assert ex.count == 1 and ex.total == 1.0 and ex.paths[0].factors == ()


def test_wrt_outside_the_graph_is_a_clear_error():
    x, z = Value(1.0, label="x"), Value(2.0, label="z")
    L = x * 3.0
    with pytest.raises(ValueError, match="not in the graph of root"):
        explain(L, z)
    with pytest.raises(TypeError, match="explain\\(wrt\\)"):
        explain(L, 1.0)
    with pytest.raises(TypeError, match="explain\\(root\\)"):
        explain(2.0, x)
    with pytest.raises(ValueError, match="max_paths"):
        explain(L, x, max_paths=-1)


def test_unlabelled_nodes_get_readable_names():
    w, x = Value(0.5, label="w"), Value(2.0, label="x")
    L = (w * x + 1.0).tanh()
    L.backward()
    ex = explain(L, w)
    route = [ex.names[v] for v in ex.paths[0].nodes]
    assert route == ["w", "w·x", "(w·x)+1", "tanh((w·x)+1)"]
    assert math.isclose(ex.total, (1 - math.tanh(2.0) ** 2) * 2.0, rel_tol=1e-12)
