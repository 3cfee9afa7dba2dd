"""create_graph: gradients that are Values, differentiated again.

Every primitive's first, second and third derivatives (all mixed partials of the binary
ones, in every order of differentiation) against hand-derived formulas; the Hessian of a
function of three variables against its analytic form, through ``grad`` and through
``backward(create_graph=True)``.
"""

from __future__ import annotations

import itertools
import math

import pytest

from autograd_lite import Value, grad


def derivative(fn, xs, wrt):
    """∂^k fn / ∂x[wrt[0]] ... ∂x[wrt[-1]] at xs, by k nested ``grad`` calls."""
    leaves = [Value(x) for x in xs]
    y = fn(*leaves)
    for k, i in enumerate(wrt):
        last = k == len(wrt) - 1
        (y,) = grad(y, [leaves[i]], create_graph=not last)
        if not last:
            assert type(y) is Value
    return y


def _sig(x):
    return 1.0 / (1.0 + math.exp(-x))


# name, fn, point, [f', f'', f'''] at the point (hand-derived)
def _unary_cases():
    t = math.tanh(0.7)
    s = _sig(-1.3)
    out = [
        ("exp", lambda v: v.exp(), 0.8, [math.exp(0.8)] * 3),
        ("log", lambda v: v.log(), 1.7, [1 / 1.7, -1 / 1.7 ** 2, 2 / 1.7 ** 3]),
        ("sqrt", lambda v: v.sqrt(), 2.3, [0.5 * 2.3 ** -0.5, -0.25 * 2.3 ** -1.5, 0.375 * 2.3 ** -2.5]),
        ("tanh", lambda v: v.tanh(), 0.7, [1 - t * t, -2 * t * (1 - t * t), (6 * t * t - 2) * (1 - t * t)]),
        ("sigmoid", lambda v: v.sigmoid(), -1.3,
         [s * (1 - s), s * (1 - s) * (1 - 2 * s), s * (1 - s) * (1 - 6 * s + 6 * s * s)]),
        ("sin", lambda v: v.sin(), 1.1, [math.cos(1.1), -math.sin(1.1), -math.cos(1.1)]),
        ("cos", lambda v: v.cos(), 1.1, [-math.sin(1.1), -math.cos(1.1), math.sin(1.1)]),
        ("neg", lambda v: -v, 1.1, [-1.0, 0.0, 0.0]),
        ("relu x>0", lambda v: v.relu(), 1.1, [1.0, 0.0, 0.0]),
        ("relu x<0", lambda v: v.relu(), -1.1, [0.0, 0.0, 0.0]),
        ("abs x>0", lambda v: v.abs(), 1.1, [1.0, 0.0, 0.0]),
        ("abs x<0", lambda v: abs(v), -1.1, [-1.0, 0.0, 0.0]),
        ("leaky_relu x>0", lambda v: v.leaky_relu(0.2), 1.1, [1.0, 0.0, 0.0]),
        ("leaky_relu x<0", lambda v: v.leaky_relu(0.2), -1.1, [0.2, 0.0, 0.0]),
        ("leaky_relu default x<0", lambda v: v.leaky_relu(), -1.1, [0.01, 0.0, 0.0]),
        ("add c", lambda v: v + 2.0, 1.1, [1.0, 0.0, 0.0]),
        ("sub c-v", lambda v: 2.0 - v, 1.1, [-1.0, 0.0, 0.0]),
        ("mul c", lambda v: 3.0 * v, 1.1, [3.0, 0.0, 0.0]),
        ("mul v*v", lambda v: v * v, 1.1, [2.2, 2.0, 0.0]),
        ("div c/v", lambda v: 3.0 / v, 1.4, [-3 / 1.4 ** 2, 6 / 1.4 ** 3, -18 / 1.4 ** 4]),
        ("div v/c", lambda v: v / 4.0, 1.4, [0.25, 0.0, 0.0]),
        ("max v,c x>c", lambda v: Value.max([v, 0.5]), 1.1, [1.0, 0.0, 0.0]),
        ("max v,c x<c", lambda v: Value.max([v, 0.5]), 0.1, [0.0, 0.0, 0.0]),
        ("rpow 2**v", lambda v: 2 ** v, 1.3, [math.log(2) ** k * 2 ** 1.3 for k in (1, 2, 3)]),
        ("rpow 0.3**v", lambda v: 0.3 ** v, -0.6, [math.log(0.3) ** k * 0.3 ** -0.6 for k in (1, 2, 3)]),
    ]
    for c, x in ((2, -1.3), (3, -1.3), (2.5, 1.7), (-2, 0.9), (0.5, 1.7), (-1.5, 2.2)):
        out.append((f"pow v**{c}", lambda v, c=c: v ** c, x,
                    [c * x ** (c - 1), c * (c - 1) * x ** (c - 2), c * (c - 1) * (c - 2) * x ** (c - 3)]))
    return out


UNARY = _unary_cases()


@pytest.mark.parametrize("name,fn,x,expected", UNARY, ids=[u[0] for u in UNARY])
def test_unary_first_second_third_derivatives(name, fn, x, expected):
    for order in (1, 2, 3):
        d = derivative(fn, [x], (0,) * order)
        assert type(d) is float
        assert d == pytest.approx(expected[order - 1], rel=1e-12, abs=1e-300), f"order {order}"


# Binary primitives: every derivative up to third order, as {sorted multi-index: value}.
def _binary_cases():
    x, y = 1.7, -0.8
    L = math.log(x)
    xy_pow = x ** y
    cases = [
        ("add", lambda a, b: a + b, (x, y), {(0,): 1.0, (1,): 1.0}),
        ("sub", lambda a, b: a - b, (x, y), {(0,): 1.0, (1,): -1.0}),
        ("mul", lambda a, b: a * b, (x, y), {(0,): y, (1,): x, (0, 1): 1.0}),
        ("div", lambda a, b: a / b, (x, y),
         {(0,): 1 / y, (1,): -x / y ** 2, (0, 1): -1 / y ** 2, (1, 1): 2 * x / y ** 3,
          (0, 1, 1): 2 / y ** 3, (1, 1, 1): -6 * x / y ** 4}),
        ("pow", lambda a, b: a ** b, (x, y),
         {(0,): y * x ** (y - 1), (1,): xy_pow * L,
          (0, 0): y * (y - 1) * x ** (y - 2), (0, 1): x ** (y - 1) * (1 + y * L), (1, 1): xy_pow * L * L,
          (0, 0, 0): y * (y - 1) * (y - 2) * x ** (y - 3),
          (0, 0, 1): x ** (y - 2) * ((2 * y - 1) + y * (y - 1) * L),
          (0, 1, 1): x ** (y - 1) * L * (2 + y * L), (1, 1, 1): xy_pow * L ** 3}),
        ("max first larger", lambda a, b: Value.max([a, b]), (x, y), {(0,): 1.0}),
        ("max second larger", lambda a, b: Value.max([a, b]), (y, x), {(1,): 1.0}),
        ("leaky_relu with a Value slope", _leaky, (-x, 0.3),
         {(0,): 0.3, (1,): -x, (0, 1): 1.0}),
        ("sum", lambda a, b: Value.sum([a, b, a, 2.0]), (x, y), {(0,): 2.0, (1,): 1.0}),
    ]
    return cases


def _leaky(a, s):
    from autograd_lite import PRIMITIVES, apply
    return apply(PRIMITIVES["leaky_relu"], a, s)


BINARY = _binary_cases()


@pytest.mark.parametrize("name,fn,xs,expected", BINARY, ids=[b[0] for b in BINARY])
def test_binary_mixed_derivatives_in_every_order(name, fn, xs, expected):
    for order in (1, 2, 3):
        for wrt in itertools.product((0, 1), repeat=order):
            want = expected.get(tuple(sorted(wrt)), 0.0)
            d = derivative(fn, xs, wrt)
            assert d == pytest.approx(want, rel=1e-12, abs=1e-300), f"∂ wrt {wrt}"


def _f3(x, y, z):
    return x ** 2 * y + y * z ** 3 + (x * z).sin() + (y * 0.5).exp() * z.tanh()


def _hessian_f3(x, y, z):
    s, c = math.sin(x * z), math.cos(x * z)
    e = math.exp(0.5 * y)
    t = math.tanh(z)
    dt = 1 - t * t
    return [
        [2 * y - z * z * s, 2 * x, c - x * z * s],
        [2 * x, 0.25 * e * t, 3 * z * z + 0.5 * e * dt],
        [c - x * z * s, 3 * z * z + 0.5 * e * dt, 6 * y * z - x * x * s - 2 * e * t * dt],
    ]


def _grad_f3(x, y, z):
    c = math.cos(x * z)
    e = math.exp(0.5 * y)
    t = math.tanh(z)
    return [2 * x * y + z * c, x * x + z ** 3 + 0.5 * e * t, 3 * y * z * z + x * c + e * (1 - t * t)]


POINT = (0.7, -1.2, 0.4)


def test_hessian_of_three_variables_through_grad():
    vs = [Value(p, label=n) for p, n in zip(POINT, "xyz")]
    gs = grad(_f3(*vs), vs, create_graph=True)
    assert [g.data for g in gs] == pytest.approx(_grad_f3(*POINT), rel=1e-13)
    H = [grad(g, vs) for g in gs]
    for row, want in zip(H, _hessian_f3(*POINT)):
        assert row == pytest.approx(want, rel=1e-12, abs=1e-300)


def test_hessian_of_three_variables_through_backward_create_graph():
    vs = [Value(p, label=n) for p, n in zip(POINT, "xyz")]
    _f3(*vs).backward(create_graph=True)
    assert all(type(v.grad) is Value for v in vs)
    assert [v.grad.data for v in vs] == pytest.approx(_grad_f3(*POINT), rel=1e-13)
    firsts = [v.grad for v in vs]
    H = [grad(g, vs) for g in firsts]
    for row, want in zip(H, _hessian_f3(*POINT)):
        assert row == pytest.approx(want, rel=1e-12, abs=1e-300)


def test_third_derivative_of_a_composite_matches_its_formula():
    # f = sin(x)·exp(x): f''' = 2·exp(x)·(cos x - sin x)
    x = 0.9
    d3 = derivative(lambda v: v.sin() * v.exp(), [x], (0, 0, 0))
    assert d3 == pytest.approx(2 * math.exp(x) * (math.cos(x) - math.sin(x)), rel=1e-12)


def test_fourth_derivative_of_tanh():
    # tanh''' = (6t² - 2)(1 - t²) = -2 + 8t² - 6t⁴, so tanh'''' = (16t - 24t³)(1 - t²)
    x = 0.35
    t = math.tanh(x)
    d4 = derivative(lambda v: v.tanh(), [x], (0, 0, 0, 0))
    assert d4 == pytest.approx((1 - t * t) * (16 * t - 24 * t ** 3), rel=1e-11)


def test_lecture_example_second_derivative():
    # The example: L = (σ(w·x + b) - 1)², second derivative in w.
    w, x, b = Value(0.5, label="w"), Value(2.0, label="x"), Value(-1.0, label="b")
    loss = ((w * x + b).sigmoid() - 1.0) ** 2
    (dw,) = grad(loss, [w], create_graph=True)
    (d2w,) = grad(dw, [w])
    s = 0.5  # σ(0)
    ds = s * (1 - s)
    assert dw.data == pytest.approx(2 * (s - 1) * ds * 2.0, rel=1e-15)
    # d/dw [2(σ-1)σ'x] = 2x²(σ'² + (σ-1)σ'(1-2σ))
    assert d2w == pytest.approx(2 * 4.0 * (ds * ds + (s - 1) * ds * (1 - 2 * s)), rel=1e-15)


def test_create_graph_result_of_an_unused_input_is_a_zero_value():
    x, y = Value(1.0), Value(2.0)
    dx, dy = grad(x * 3.0, [x, y], create_graph=True)
    assert type(dx) is Value and type(dy) is Value
    assert dx.data == 3.0 and dy.data == 0.0
    assert grad(dy, [x, y]) == [0.0, 0.0]


def test_grad_outputs_weights_the_outputs():
    x = Value(0.6)
    a, b = x.sin(), x * x
    (g,) = grad([a, b], [x], grad_outputs=[2.0, -1.0])
    assert g == pytest.approx(2 * math.cos(0.6) - 2 * 0.6, rel=1e-15)
    (gv,) = grad([a, b], [x], grad_outputs=[Value(2.0), Value(-1.0)], create_graph=True)
    assert grad(gv, [x]) == pytest.approx([-2 * math.sin(0.6) - 2], rel=1e-15)
