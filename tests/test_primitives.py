"""Every primitive of the rule table against central finite differences, first and second order.

Each case (tests/engine_cases.py) is one use of a primitive, with Value and constant operands
on either side, checked by ``gradcheck`` and ``gradgradcheck`` at many points drawn by
hypothesis from where the op is smooth. The same rules evaluated on numpy arrays (the
compiled replay's number kind) must give the float results elementwise.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from engine_cases import CASES, case_ids
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_lite import PRIMITIVES, Value, apply, grad, gradcheck, gradgradcheck, register_primitive
from autograd_lite.primitives import ARRAY, FLOAT

BUILTIN = ("add", "sub", "mul", "div", "pow", "neg", "exp", "log", "sqrt", "tanh", "sigmoid", "relu",
           "leaky_relu", "abs", "sin", "cos", "sum", "max")
EXAMPLES = settings(max_examples=40, deadline=None, derandomize=True)


def test_every_builtin_primitive_has_cases():
    assert set(BUILTIN) <= set(PRIMITIVES)
    covered = {c.prim for c in CASES}
    assert covered == set(BUILTIN)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_first_derivatives_match_finite_differences(case):
    @EXAMPLES
    @given(case.inputs)
    def check(xs):
        report = gradcheck(case.fn, list(xs))
        assert report, str(report)

    check()


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_second_derivatives_match_finite_differences(case):
    @EXAMPLES
    @given(case.inputs)
    def check(xs):
        report = gradgradcheck(case.fn, list(xs))
        assert report, str(report)

    check()


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_nodes_record_their_primitive(case):
    xs = [Value(x, label=f"x{i}") for i, x in enumerate(case.points[0])]
    out = case.fn(*xs)
    assert out.op == case.prim and out.primitive is PRIMITIVES[case.prim] and not out.is_leaf()
    for p in out.parents:
        assert type(p) is Value or type(p) is float
    args = [p.data if type(p) is Value else p for p in out.parents]
    prim = out.primitive
    assert out.data == (prim.forward(args, FLOAT) if prim.arity == -1 else prim.forward(*args, FLOAT))


def test_constants_stay_floats_in_parents():
    v = Value(1.5, label="v")
    assert (v * 2).parents == (v, 2.0)
    assert (2 * v).parents == (2.0, v)
    assert (2 ** v).parents == (2.0, v)
    assert (v ** 3).parents == (v, 3.0)
    assert (1 - v).parents == (1.0, v)
    assert v.leaky_relu(0.2).parents == (v, 0.2)
    s = Value.sum([v, 1, v])
    assert s.op == "sum" and s.parents == (v, 1.0, v) and s.data == 4.0


def test_sum_is_one_n_ary_node():
    xs = [Value(float(i)) for i in range(10)]
    s = Value.sum(x * 2.0 for x in xs)
    assert s.op == "sum" and len(s.parents) == 10 and s.data == 90.0
    assert all(p.op == "mul" for p in s.parents)


def test_max_is_a_chain_of_binary_nodes_and_ties_go_to_the_first():
    a, b, c = Value(1.0), Value(3.0), Value(3.0)
    m = Value.max([a, b, c])
    assert m.op == "max" and m.parents[1] is c and m.parents[0].parents == (a, b)
    m.backward()
    assert (a.grad, b.grad, c.grad) == (0.0, 1.0, 0.0)


# ------------------------------------------------------------ the same rule on arrays
_GRID = np.array([-2.3, -0.7, 0.45, 1.9, 3.1])
_POS = np.array([0.07, 0.45, 1.3, 2.9, 7.5])
_ARRAY_INPUTS = {
    "log": (_POS,), "sqrt": (_POS,), "pow": (_POS, _GRID[::-1]), "div": (_GRID, _POS),
    "leaky_relu": (_GRID, np.full(5, 0.2)), "max": (_GRID, _GRID[::-1] + 0.1),
}


@pytest.mark.parametrize("name", [n for n in BUILTIN if n != "sum"])
def test_array_rule_matches_float_rule_elementwise(name):
    prim = PRIMITIVES[name]
    cols = _ARRAY_INPUTS.get(name, (_GRID,) * prim.arity)
    out = prim.forward(*cols, ARRAY)
    for k in range(len(_GRID)):
        args = [float(c[k]) for c in cols]
        f_out = prim.forward(*args, FLOAT)
        assert out[k] == pytest.approx(f_out, rel=1e-15, abs=0.0)
        for i in range(prim.arity):
            d_arr = np.broadcast_to(prim.partial(i, cols, out, ARRAY), out.shape)[k]
            assert d_arr == pytest.approx(prim.partial(i, args, f_out, FLOAT), rel=1e-15, abs=0.0)


def test_array_sum_reduces_a_stack():
    stack = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    assert PRIMITIVES["sum"].forward(stack, ARRAY).tolist() == [9.0, 12.0]
    assert PRIMITIVES["sum"].partial(1, stack, None, ARRAY) == 1.0


# ------------------------------------------------------------ a new primitive, registered once
def test_registered_primitive_serves_first_and_second_order():
    sp = register_primitive("test_softplus", arity=1, forward=lambda x, m: m.log(1.0 + m.exp(x)),
                            partials=(lambda x, out, m: 1.0 - m.exp(-out),))
    try:
        f = lambda v: apply(sp, v * 1.5)

        @settings(max_examples=30, deadline=None, derandomize=True)
        @given(st.floats(-5.0, 5.0))
        def check(x):
            assert gradcheck(f, [x])
            assert gradgradcheck(f, [x])
            v = Value(x)
            (d1,) = grad(f(v), [v], create_graph=True)
            (d2,) = grad(d1, [v])
            s = 1.0 / (1.0 + math.exp(-1.5 * x))
            assert d1.data == pytest.approx(1.5 * s, rel=1e-12)
            assert d2 == pytest.approx(2.25 * s * (1.0 - s), rel=1e-9, abs=1e-15)

        check()
        assert f(Value(0.2)).op == "test_softplus"
    finally:
        del PRIMITIVES["test_softplus"]     # leave the shared table as it was for other tests


def test_register_primitive_rejects_bad_rules():
    with pytest.raises(ValueError, match="'add' is already registered"):
        register_primitive("add", 2, lambda x, y, m: x + y, (1.0, 1.0))
    with pytest.raises(ValueError, match="arity of primitive 'bad3' must be 1, 2 or -1"):
        register_primitive("bad3", 3, lambda x, y, z, m: x, (1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="'bad2' with arity 2 needs 2 partial"):
        register_primitive("bad2", 2, lambda x, y, m: x, (1.0,))
    with pytest.raises(TypeError, match="partials of primitive 'badp'"):
        register_primitive("badp", 1, lambda x, m: x, ("one",))
    assert not {"bad3", "bad2", "badp"} & set(PRIMITIVES)


# ------------------------------------------------------------ backward evaluates the table's rule
@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_backward_of_one_node_is_the_tables_partial_exactly(case):
    """One node: its gradient must be the rule ``prim.partial`` evaluated on floats (backward) and on
    Values (create_graph), bit for bit, so no derivative is written a second time in the engine."""
    from autograd_lite.value import VALUE
    for point in case.points:
        xs = [Value(x) for x in point]
        out = case.fn(*xs)
        prim = out.primitive
        args = [p.data if type(p) is Value else p for p in out.parents]
        want = [0.0] * len(xs)
        want_v = [0.0] * len(xs)
        for i, p in enumerate(out.parents):
            if type(p) is Value and p.is_leaf():
                k = next(j for j, x in enumerate(xs) if x is p)
                want[k] += prim.partial(i, args, out.data, FLOAT)
                d = prim.partial(i, out.parents, out, VALUE)
                want_v[k] += d.data if type(d) is Value else d
        if any(type(p) is Value and not p.is_leaf() for p in out.parents):
            continue                  # composite cases (max of 3, sum with x·y): covered elsewhere
        assert grad(out, xs) == want
        assert [g.data for g in grad(out, xs, create_graph=True)] == want_v
