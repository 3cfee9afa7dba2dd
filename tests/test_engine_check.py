"""gradcheck and gradgradcheck themselves: they pass correct rules and catch wrong ones, with a
report that names the input, the analytic and numeric values and the errors."""

from __future__ import annotations

import math

import pytest

from autograd_lite import Primitive, Value, apply, grad, gradcheck, gradgradcheck
from autograd_lite.check import CheckFailure, CheckReport
from autograd_lite.primitives import FLOAT

# sin with a derivative 1 % too large: wrong at first order.
BAD_FIRST = Primitive("bad_sin", "bs", 1, lambda x, m: m.sin(x), (lambda x, out, m: 1.01 * m.cos(x),))
# sin whose derivative has the right value but is a constant on Values: right at first order,
# wrong at second (its create_graph derivative is 0 instead of -sin).
BAD_SECOND = Primitive("flat_sin", "fs", 1, lambda x, m: m.sin(x),
                       (lambda x, out, m: FLOAT.cos(x.data if type(x) is Value else x),))


def test_correct_function_passes_both_checks():
    f = lambda w, x, b: ((w * x + b).sigmoid() - 1.0) ** 2
    r1 = gradcheck(f, [0.5, 2.0, -1.0])
    r2 = gradgradcheck(f, [0.5, 2.0, -1.0])
    assert r1 and r2 and r1.failures == [] and r2.failures == []
    assert (r1.checked, r2.checked) == (3, 9)
    assert str(r1) == "gradcheck: all 3 derivatives agree (eps=1e-06, atol=1e-05, rtol=0.0001)"
    assert str(r2).startswith("gradgradcheck: all 9 derivatives agree")


def test_gradcheck_catches_a_wrong_first_derivative_and_reports_it():
    x = Value(0.3, label="x")
    y = Value(2.0, label="y")
    report = gradcheck(lambda a, b: apply(BAD_FIRST, a) * b, [x, y])
    assert not report and isinstance(report, CheckReport)
    [fail] = report.failures
    assert isinstance(fail, CheckFailure)
    assert fail.inputs == (0,) and fail.labels == ("x",)
    assert fail.analytic == pytest.approx(2.0 * 1.01 * math.cos(0.3), rel=1e-14)
    assert fail.numeric == pytest.approx(2.0 * math.cos(0.3), rel=1e-8)
    assert fail.abs_error == pytest.approx(0.02 * math.cos(0.3), rel=1e-6)
    assert fail.rel_error == pytest.approx(0.01, rel=1e-6)
    text = str(report)
    lines = text.splitlines()
    assert lines[0] == "gradcheck: 1 of 2 derivatives disagree (eps=1e-06, atol=1e-05, rtol=0.0001)"
    assert lines[1].split() == ["derivative", "analytic", "numeric", "abs", "error", "rel", "error"]
    assert lines[2].split()[0] == "∂/∂x[0](x)"
    assert float(lines[2].split()[1]) == pytest.approx(fail.analytic, rel=1e-9)
    assert float(lines[2].split()[2]) == pytest.approx(fail.numeric, rel=1e-9)
    assert "1.000e-02" in lines[2]


def test_gradgradcheck_catches_a_wrong_second_derivative():
    f = lambda a, b: apply(BAD_SECOND, a) * b
    assert gradcheck(f, [0.7, 1.5])                       # first order is right
    report = gradgradcheck(f, [0.7, Value(1.5, label="b")])
    assert not report
    [fail] = report.failures                               # only ∂²/∂a² is wrong (cross terms are right)
    assert fail.inputs == (0, 0) and fail.labels == ("", "")
    assert fail.analytic == 0.0
    assert fail.numeric == pytest.approx(-1.5 * math.sin(0.7), rel=1e-6)
    assert fail.rel_error == pytest.approx(1.0)
    assert "∂²/∂x[0]∂x[0]" in str(report)


def test_gradgradcheck_failures_are_listed_in_index_order():
    f = lambda a, b: apply(BAD_SECOND, a * b)
    report = gradgradcheck(f, [0.4, 0.9])
    assert [fl.inputs for fl in report.failures] == [(0, 0), (0, 1), (1, 0), (1, 1)]
    c, s = math.cos(0.36), math.sin(0.36)
    assert [fl.analytic for fl in report.failures] == pytest.approx([0.0, c, c, 0.0], rel=1e-14)
    assert [fl.numeric for fl in report.failures] == pytest.approx(
        [-s * 0.81, c - s * 0.36, c - s * 0.36, -s * 0.16], rel=1e-6)


def test_gradgradcheck_checks_second_order_only():
    # A wrong first derivative is consistent with its own derivative: gradcheck is the check for it.
    f = lambda a: apply(BAD_FIRST, a)
    assert gradgradcheck(f, [0.4])
    assert not gradcheck(f, [0.4])


def test_tolerances_decide_agreement():
    f = lambda a: apply(BAD_FIRST, a)
    assert not gradcheck(f, [0.3])
    assert gradcheck(f, [0.3], rtol=0.02)                  # a 1 % error is inside 2 %
    assert gradcheck(f, [0.3], atol=0.05)


def test_rel_error_of_a_zero_numeric_derivative():
    assert CheckFailure((0,), ("",), 1e-3, 0.0).rel_error == math.inf
    assert CheckFailure((0,), ("",), 0.0, 0.0).rel_error == 0.0


def test_inputs_are_not_touched():
    x = Value(0.25, label="x")
    x.grad = 3.0
    calls = []

    def f(a):
        calls.append(a)
        return (a * a).exp()

    assert gradcheck(f, [x]) and gradgradcheck(f, [x])
    assert x.data == 0.25 and x.grad == 3.0
    assert all(a is not x for a in calls)                  # fn gets fresh leaves
    assert all(a.label == "x" for a in calls)


def test_ints_and_numpy_scalars_as_inputs():
    import numpy as np
    assert gradcheck(lambda a, b: a ** b, [2, np.float64(1.5)])
    assert gradgradcheck(lambda a, b: a ** b, [np.int64(2), 1.5])


def test_works_on_functions_using_n_ary_and_max():
    f = lambda a, b, c: Value.max([a, b]) * Value.sum([a, b, c, a * c])
    assert gradcheck(f, [0.3, -0.4, 1.2])
    assert gradgradcheck(f, [0.3, -0.4, 1.2])


def test_fn_may_itself_differentiate():
    # d/dx of (d/dx x³) = 6x: the numeric side must record the inner graph too.
    inner = lambda x: grad(x ** 3, [x], create_graph=True)[0]
    report = gradcheck(inner, [2.0])
    assert report, str(report)
    assert gradgradcheck(inner, [2.0])                     # third derivative of x³ is 6
    wrong = lambda x: grad(x ** 3, [x])[0] * x / x         # a float gradient: the graph is cut
    with pytest.raises(TypeError, match="fn must return a Value"):
        gradcheck(lambda x: grad(x ** 3, [x])[0], [2.0])
    assert not gradcheck(wrong, [2.0])


def test_identity_and_constant_functions():
    assert gradcheck(lambda x: x, [2.0]) and gradgradcheck(lambda x: x, [2.0])
    assert gradcheck(lambda x: Value(2.0), [1.0]) and gradgradcheck(lambda x, y: x * 0.0 + 1.0, [1.0, 2.0])
