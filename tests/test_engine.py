"""The engine's semantics: graph order without recursion, reuse, accumulation, grad(), determinism,
freeing by reference counting, and random expression graphs against finite differences."""

from __future__ import annotations

import gc
import math
import subprocess
import sys
import textwrap
import weakref
from contextlib import contextmanager
from pathlib import Path

import pytest
from engine_cases import programs, run_values, usable
from hypothesis import HealthCheck, assume, given, settings

from autograd_lite import Value, backward_order, grad, gradcheck, gradgradcheck, local_partials

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def default_recursion_limit():
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(1000)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


@contextmanager
def gc_disabled():
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


# ------------------------------------------------------------ no recursion
def test_chain_of_a_million_ops_forward_and_backward_at_default_recursion_limit():
    n = 1_000_000
    with default_recursion_limit():
        x = Value(1.0, label="x")
        y = x
        for _ in range(n):
            y = y * 1.0000001
        y.backward()
    expected = 1.0
    for _ in range(n):       # the same float products, in the order the backward pass forms them
        expected *= 1.0000001
    assert y.data == pytest.approx(math.exp(n * math.log1p(1e-7)), rel=1e-9)
    assert x.grad == pytest.approx(expected, rel=1e-12)
    assert x.grad == pytest.approx(math.exp(n * math.log1p(1e-7)), rel=1e-9)


def test_chain_of_mixed_ops_backward_order_has_every_node_once():
    n = 200_000
    with default_recursion_limit():
        x = Value(0.5)
        y = x
        for i in range(n):
            y = (y + 0.25) if i % 2 else y.tanh()
        order = backward_order([y])
        y.backward()
    assert len(order) == n and order[0] is y and len(set(map(id, order))) == n
    # d/dx of the composition: product of tanh' along the chain
    g, v = 1.0, 0.5
    for i in range(n):
        if i % 2:
            v += 0.25
        else:
            t = math.tanh(v)
            g *= 1 - t * t
            v = t
    assert y.data == pytest.approx(v, rel=1e-12)
    assert x.grad == pytest.approx(g, rel=1e-9, abs=1e-300)


def test_sum_of_a_hundred_thousand_terms_at_default_recursion_limit():
    n = 100_000
    with default_recursion_limit():
        xs = [Value(float(i % 7), label=f"x{i}") for i in range(n)]
        s = Value.sum(x * float(i % 5) for i, x in enumerate(xs))
        s.backward()
    assert s.op == "sum" and len(s.parents) == n
    assert s.data == sum(float(i % 7) * float(i % 5) for i in range(n))
    assert all(x.grad == float(i % 5) for i, x in enumerate(xs))


def test_create_graph_on_a_long_chain_at_default_recursion_limit():
    n = 20_000
    with default_recursion_limit():
        x = Value(0.3)
        y = x
        for _ in range(n):
            y = y * 1.00001 + 0.0
        (d1,) = grad(y * y, [x], create_graph=True)
        (d2,) = grad(d1, [x])
    k = y.data / 0.3
    assert d1.data == pytest.approx(2 * k * k * 0.3, rel=1e-9)
    assert d2 == pytest.approx(2 * k * k, rel=1e-9)


# ------------------------------------------------------------ reuse
def test_reused_node_b_is_a_plus_a():
    a = Value(3.0, label="a")
    b = a + a
    c = b * b
    c.backward()
    assert c.data == 36.0
    assert b.grad == 12.0          # dc/db = 2b
    assert a.grad == 24.0          # dc/da = 8a
    assert b.parents == (a, a)


def _diamond(av=2.0, bv=3.0):
    a = Value(av, label="a")
    b = Value(bv, label="b")
    c = a + b
    d = a * b
    e = c + d
    f = c * d
    y = e + f
    return a, b, c, d, e, f, y


def test_diamond_exact_gradients():
    a, b, c, d, e, f, y = _diamond()
    y.backward()
    assert y.data == 41.0                           # 5 + 6 + 30
    assert (e.grad, f.grad) == (1.0, 1.0)
    assert c.grad == 7.0                            # 1 + d
    assert d.grad == 6.0                            # 1 + c
    assert a.grad == 25.0                           # (1 + d) + (1 + c)·b
    assert b.grad == 19.0                           # (1 + d) + (1 + c)·a


def test_diamond_backward_order_visits_each_node_after_its_users():
    a, b, c, d, e, f, y = _diamond()
    order = backward_order([y])
    assert order[0] is y and len(order) == 5 and set(order) == {c, d, e, f, y}
    pos = {id(v): i for i, v in enumerate(order)}
    for v in order:
        for p in v.parents:
            if type(p) is Value and not p.is_leaf():
                assert pos[id(v)] < pos[id(p)]
    with_leaves = backward_order([y], leaves=True)
    assert set(with_leaves) == {a, b, c, d, e, f, y}


def test_diamond_second_derivatives():
    a, b, *_, y = _diamond()
    da, db = grad(y, [a, b], create_graph=True)
    assert (da.data, db.data) == (25.0, 19.0)
    assert grad(da, [a, b]) == [6.0, 11.0]         # ∂/∂a (1 + 2ab + b + b²) = 2b; ∂/∂b = 2a + 1 + 2b
    assert grad(db, [a, b]) == [11.0, 4.0]


def test_local_partials_evaluate_the_rule_table():
    a, b, c, d, *_ = _diamond()
    assert local_partials(d) == [(0, a, 3.0), (1, b, 2.0)]
    t = (a * 0.25).tanh()
    [(i, p, dt)] = local_partials(t)
    assert i == 0 and p is t.parents[0] and dt == pytest.approx(1 - math.tanh(0.5) ** 2, rel=1e-15)
    [(_, _, dv)] = local_partials(t, create_graph=True)
    assert type(dv) is Value and dv.data == dt
    assert local_partials(a) == []


# ------------------------------------------------------------ accumulation
def test_backward_twice_accumulates_leaves_and_recomputes_intermediates():
    x = Value(0.8, label="x")
    u = x * x
    y = u.tanh()
    y.backward()
    first_x, first_u, first_y = x.grad, u.grad, y.grad
    assert first_u == pytest.approx(1 - math.tanh(0.64) ** 2, rel=1e-15)
    assert first_x == pytest.approx(first_u * 1.6, rel=1e-15)
    y.backward()
    assert x.grad == 2 * first_x                    # leaf: added again
    assert u.grad == first_u and y.grad == first_y  # intermediates: this pass's value, not doubled
    y.backward(grad=0.5)
    assert x.grad == 2.5 * first_x and u.grad == 0.5 * first_u


def test_backward_from_an_intermediate_after_one_from_the_root():
    a, b, c, d, e, f, y = _diamond()
    y.backward()
    c.backward()                                     # c = a + b: adds 1 to each leaf
    assert (a.grad, b.grad, c.grad) == (26.0, 20.0, 1.0)


# ------------------------------------------------------------ grad()
def test_grad_leaves_every_grad_untouched():
    a, b, c, d, e, f, y = _diamond()
    nodes = (a, b, c, d, e, f, y)
    y.backward()
    a.grad = 100.0
    before = [v.grad for v in nodes]
    assert grad(y, [a, b]) == [25.0, 19.0]
    assert [v.grad for v in nodes] == before
    ga, gb = grad(y, [a, b], create_graph=True)
    assert (ga.data, gb.data) == (25.0, 19.0)
    assert [v.grad for v in nodes] == before
    assert grad(e, [c, a]) == [1.0, 4.0]             # e = c + a·b: w.r.t. an intermediate node too
    assert [v.grad for v in nodes] == before


def test_grad_of_an_input_not_in_the_graph_is_zero():
    x, z = Value(2.0), Value(5.0)
    assert grad(x * 3.0, [z, x]) == [0.0, 3.0]


def test_grad_of_several_outputs_adds_them():
    x = Value(0.4)
    assert grad([x * x, x.sin()], [x]) == pytest.approx([0.8 + math.cos(0.4)], rel=1e-15)


# ------------------------------------------------------------ determinism
_SCRIPT = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    from autograd_lite import Value, backward_order
    xs = [Value(0.1 * i - 0.35, label=f"x{{i}}") for i in range(6)]
    hs = []
    for k in range(5):
        z = Value.sum([x * (0.3 * k - 0.2 * j) for j, x in enumerate(xs)] + [0.1 * k])
        z.label = f"z{{k}}"
        h = z.tanh() if k % 2 else z.sigmoid()
        h.label = f"h{{k}}"
        hs.append(h)
    y = Value.max([hs[0] * hs[1], hs[2] + hs[3]]) + (hs[4] - hs[0]) ** 2
    y.label = "y"
    y.backward()
    for v in backward_order([y], leaves=True):
        print(v.label or v.op, v.op, repr(v.data), repr(v.grad))
""")


def test_same_program_same_order_and_floats_in_fresh_interpreters():
    script = _SCRIPT.format(root=str(ROOT))
    outs = []
    for seed in ("0", "1", "12345"):
        r = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                           env={"PYTHONHASHSEED": seed, "PATH": "/usr/bin:/bin"})
        assert r.returncode == 0, r.stderr
        outs.append(r.stdout)
    assert outs[0] == outs[1] == outs[2]
    lines = outs[0].splitlines()
    assert lines[0].startswith("y add ") and len(lines) == 6 + 5 * 8 + 6   # leaves, 5 neurons, the head
    labels = [ln.split()[0] for ln in lines]
    assert sorted(lab for lab in labels if lab[0] in "xzh") == sorted(
        [f"x{i}" for i in range(6)] + [f"z{k}" for k in range(5)] + [f"h{k}" for k in range(5)])


def test_same_program_same_order_in_process():
    def build():
        a, b, c, d, e, f, y = _diamond()
        for v, n in zip((c, d, e, f, y), "cdefy"):
            v.label = n
        y.backward()
        return [(v.label, v.data, v.grad) for v in backward_order([y], leaves=True)]

    first = build()
    # Depth-first from y, parents in argument order, reversed: the order is fixed by the graph.
    assert [t[0] for t in first] == ["y", "e", "f", "c", "d", "a", "b"]
    assert build() == first


# ------------------------------------------------------------ freeing by reference counting
def _graph():
    """Leaves x, w and the nodes made from them; returns (x, w, inner nodes, output)."""
    x = Value(0.3, label="x")
    w = Value(-1.2, label="w")
    h = (x * w + 0.5).tanh()
    e = h.exp()
    inner = e * h
    y = Value.sum([inner, h.sigmoid(), x ** 2])
    return x, w, [h, e, inner], y


def test_graph_is_freed_by_refcount_when_the_output_goes():
    with gc_disabled():
        x, w, inner, y = _graph()
        refs = [weakref.ref(v) for v in (*inner, y)]
        del inner, y
        assert all(r() is None for r in refs)
        assert x.grad == 0.0 and w.data == -1.2


def test_graph_is_freed_by_refcount_after_backward():
    with gc_disabled():
        x, w, inner, y = _graph()
        y.backward()
        assert x.grad != 0.0
        refs = [weakref.ref(v) for v in (*inner, y)]
        del inner, y
        assert all(r() is None for r in refs)


def test_graph_is_freed_by_refcount_after_grad_with_create_graph():
    with gc_disabled():
        x, w, inner, y = _graph()
        gx, gw = grad(y, [x, w], create_graph=True)
        (gxx,) = grad(gx, [x])
        refs = [weakref.ref(v) for v in (*inner, y)] + [weakref.ref(gx), weakref.ref(gw)]
        h = refs[0]
        del inner, y
        assert h() is not None            # tanh's partial uses its output: gx's graph holds h
        del gx, gw
        assert all(r() is None for r in refs)
        assert type(gxx) is float


def test_graph_is_freed_by_refcount_after_backward_with_create_graph():
    with gc_disabled():
        x, w, inner, y = _graph()
        y.backward(create_graph=True)
        assert type(x.grad) is Value
        refs = [weakref.ref(v) for v in (*inner, y)]
        x.grad = 0.0                       # drop the leaves' gradient graphs (as zero_grad does)
        w.grad = 0.0
        del inner, y
        assert all(r() is None for r in refs)


def test_values_hold_no_reference_cycle():
    with gc_disabled():
        x, w, inner, y = _graph()
        y.backward()
        (gx,) = grad(y, [x], create_graph=True)
        del x, w, inner, y, gx
        assert gc.collect() == 0


# ------------------------------------------------------------ random graphs vs finite differences
RANDOM = settings(max_examples=300, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@RANDOM
@given(programs())
def test_random_graphs_first_derivatives(prog):
    assume(usable(prog))
    report = gradcheck(lambda *xs: run_values(prog, xs)[0], list(prog.leaves))
    assert report, f"{prog}\n{report}"


@RANDOM
@given(programs())
def test_random_graphs_second_derivatives(prog):
    assume(usable(prog))
    report = gradgradcheck(lambda *xs: run_values(prog, xs)[0], list(prog.leaves), atol=1e-4)
    assert report, f"{prog}\n{report}"


@RANDOM
@given(programs())
def test_random_graphs_backward_equals_grad(prog):
    assume(usable(prog))
    xs = [Value(x) for x in prog.leaves]
    y, _, _ = run_values(prog, xs)
    g = grad(y, xs)
    assert all(x.grad == 0.0 for x in xs)
    y.backward()
    # A leaf used several times is one Value here, so both give its total derivative.
    assert [x.grad for x in xs] == g


# ------------------------------------------------------------ Value basics
def test_value_attributes_detach_and_leaf_backward():
    x = Value(2, label="x")
    assert type(x.data) is float and x.data == 2.0 and x.grad == 0.0 and x.op == "" and x.parents == ()
    assert x.is_leaf() and x.primitive is None and x.scope is None
    y = x * x
    d = y.detach()
    assert d.is_leaf() and d.data == 4.0 and d is not y and d.parents == ()
    (d * 3.0).backward()
    assert x.grad == 0.0 and d.grad == 3.0
    x.backward()                     # a leaf: its own gradient, added
    x.backward()
    assert x.grad == 2.0


def test_value_comparisons_read_data_and_equality_is_identity():
    a, b = Value(1.0), Value(1.0)
    assert a != b and a == a and len({a, b}) == 2
    assert a <= b and a >= b and not a < b and (a < 2) and (b > 0.5)
    assert bool(Value(0.0)) is False and bool(Value(-0.1)) is True
    assert float(Value(2.5)) == 2.5 and f"{Value(1.23456):.2f}" == "1.23"


def test_derivative_conventions_at_kinks():
    # relu'(0) = 0, |x|'(0) = 0, leaky_relu'(0) = slope, max ties give everything to the first input.
    for fn, want in ((lambda v: v.relu(), 0.0), (lambda v: v.abs(), 0.0), (lambda v: v.leaky_relu(0.2), 0.2)):
        z = Value(0.0)
        fn(z).backward()
        assert z.grad == want
    a, b = Value(1.0), Value(1.0)
    Value.max([a, b]).backward()
    assert (a.grad, b.grad) == (1.0, 0.0)


def test_empty_sum_and_max():
    assert Value.sum([]).data == 0.0
    with pytest.raises(ValueError, match=r"Value.max\(terms\): terms is empty"):
        Value.max([])
