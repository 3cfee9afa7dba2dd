"""Bad input gets a clear error naming the op and the operand values and labels; never a silent NaN.

Also: sigmoid and tanh are exact and finite at ±1000, with finite gradients; a non-finite
gradient in the backward pass raises.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_lite import EngineError, Value, detect_anomaly, grad, gradcheck, gradgradcheck


# ------------------------------------------------------------ constructing Values
@pytest.mark.parametrize("bad,typename", [("3", "str"), (None, "NoneType"), ([1], "list"), (True, "bool"),
                                          (False, "bool"), (1 + 2j, "complex"), (np.array([1.0]), "ndarray")])
def test_value_rejects_non_numbers(bad, typename):
    with pytest.raises(TypeError) as info:
        Value(bad)
    msg = str(info.value)
    assert "Value(data)" in msg and repr(bad) in msg and typename in msg


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf"), np.float64("nan")])
def test_value_rejects_non_finite_numbers(bad):
    with pytest.raises(ValueError, match=r"Value\(data\): .* is not finite"):
        Value(bad)


@pytest.mark.parametrize("x,want", [(np.float64(2.5), 2.5), (np.float32(0.5), 0.5), (np.int64(3), 3.0),
                                    (np.int8(-4), -4.0), (7, 7.0), (2**53 + 1, float(2**53))])
def test_value_accepts_ints_floats_and_numpy_scalars_as_python_floats(x, want):
    v = Value(x)
    assert type(v.data) is float and v.data == want
    assert type((v * 2).data) is float


def test_label_must_be_a_string():
    with pytest.raises(TypeError, match=r"Value\(label\): expected a str, got 3"):
        Value(1.0, label=3)


def test_data_of_a_computed_node_cannot_be_assigned():
    x = Value(1.0)
    y = x * 2.0
    with pytest.raises(AttributeError, match="computed node .*mul"):
        y.data = 3.0
    x.data = np.float64(4.0)
    assert x.data == 4.0 and type(x.data) is float
    with pytest.raises(ValueError, match="not finite"):
        x.data = float("nan")


@pytest.mark.parametrize("make,op,bad", [
    (lambda v: v + "a", "add", "'a'"),
    (lambda v: None * v, "mul", "None"),
    (lambda v: v ** [2], "pow", "[2]"),
    (lambda v: v.leaky_relu("x"), "leaky_relu", "'x'"),
    (lambda v: Value.sum([v, "x"]), "sum", "'x'"),
    (lambda v: v - True, "sub", "True"),
])
def test_ops_reject_non_number_operands(make, op, bad):
    with pytest.raises(TypeError) as info:
        make(Value(1.0, label="v"))
    assert op in str(info.value) and bad in str(info.value)


def test_constant_operand_that_is_not_finite_is_named():
    with pytest.raises((EngineError, ValueError)) as info:
        Value(1.0, label="v") + float("inf")
    assert "add" in str(info.value) and "inf" in str(info.value)


# ------------------------------------------------------------ domain errors and overflow
@pytest.mark.parametrize("make,needles", [
    (lambda: Value(0.0, label="z").log(), ["log", "Value(0.0, label='z')", "positive"]),
    (lambda: Value(-2.0, label="n").log(), ["log", "Value(-2.0, label='n')", "positive"]),
    (lambda: Value(-1.0, label="n").sqrt(), ["sqrt", "Value(-1.0, label='n')", "non-negative"]),
    (lambda: Value(2.0, label="d") / 0, ["div", "Value(2.0, label='d')", "0.0", "divisor"]),
    (lambda: 1.0 / Value(0.0, label="z"), ["div", "1.0", "Value(0.0, label='z')", "divisor"]),
    (lambda: Value(3.0, label="a") / Value(0.0, label="b"), ["div", "label='a'", "label='b'"]),
    (lambda: Value(0.0, label="z") ** -1, ["pow", "Value(0.0, label='z')", "-1.0"]),
    (lambda: 0 ** Value(-1.0, label="e"), ["pow", "0.0", "Value(-1.0, label='e')"]),
    (lambda: Value(-8.0, label="n") ** (1 / 3), ["pow", "Value(-8.0, label='n')", "0.333", "x > 0"]),
    (lambda: Value(-2.0, label="n") ** Value(0.5, label="h"), ["pow", "label='n'", "label='h'"]),
    (lambda: Value(710.0, label="big").exp(), ["exp", "Value(710.0, label='big')", "overflow"]),
    (lambda: Value(1e200, label="h") * Value(1e200, label="k"), ["mul", "1e+200", "label='h'", "label='k'",
                                                                 "not finite"]),
    (lambda: Value(1e308, label="h") + 1e308, ["add", "1e+308", "label='h'", "not finite"]),
    (lambda: Value(1e300, label="h") ** 2, ["pow", "1e+300", "label='h'"]),
    (lambda: 10.0 ** Value(400.0, label="e"), ["pow", "Value(400.0, label='e')"]),
    (lambda: Value(1e-300, label="t") / 1e-300 / 1e-300 / 1e-300, ["div", "1e-300"]),
    (lambda: Value.sum([Value(1e308, label="p"), 1e308]), ["sum", "label='p'", "1e+308"]),
])
def test_non_finite_results_raise_naming_op_and_operands(make, needles):
    with pytest.raises(EngineError) as info:
        make()
    msg = str(info.value)
    for needle in needles:
        assert needle in msg, f"{needle!r} not in {msg!r}"


def test_engine_error_is_an_arithmetic_error():
    with pytest.raises(ArithmeticError):
        Value(-1.0).log()


def test_errors_come_from_the_op_not_from_deep_inside():
    with pytest.raises(EngineError) as info:
        Value(-1.0).sqrt()
    assert info.value.__cause__ is None and info.value.__suppress_context__


# ------------------------------------------------------------ stability
@pytest.mark.parametrize("x", [1000.0, -1000.0, 800.0, -800.0, 40.0, -40.0])
def test_sigmoid_and_tanh_are_exact_and_finite_far_out(x):
    v = Value(x)
    s, t = v.sigmoid(), v.tanh()
    if abs(x) >= 800:
        assert s.data == (1.0 if x > 0 else 0.0)
        assert t.data == (1.0 if x > 0 else -1.0)
    else:
        assert s.data == pytest.approx(1.0 / (1.0 + math.exp(-x)), rel=1e-15, abs=1e-300)
    (ds,) = grad(s, [v])
    (dt,) = grad(t, [v])
    assert math.isfinite(ds) and math.isfinite(dt)
    # σ' = σ(1 - σ) and tanh' = 1 - tanh² from the rounded outputs: 0 where σ or tanh rounds to ±1.
    assert ds == pytest.approx(math.exp(-abs(x)) / (1 + math.exp(-abs(x))) ** 2, rel=1e-12, abs=1e-17)
    assert dt == pytest.approx(1 - math.tanh(x) ** 2, abs=1e-17)
    assert ds >= 0.0 and dt >= 0.0
    (ds1,) = grad(s, [v], create_graph=True)
    (ds2,) = grad(ds1, [v])
    (dt1,) = grad(t, [v], create_graph=True)
    (dt2,) = grad(dt1, [v])
    assert all(math.isfinite(g) for g in (ds2, dt2))


def test_sigmoid_tanh_backward_at_1000_give_zero_gradients():
    v = Value(1000.0, label="v")
    y = v.sigmoid() + v.tanh() + (-v).sigmoid() + (-v).tanh()
    y.backward()
    assert y.data == 1.0 + 1.0 + 0.0 - 1.0
    assert v.grad == 0.0


# ------------------------------------------------------------ non-finite gradients in backward
def test_non_finite_gradient_at_an_intermediate_node_raises():
    x = Value(1e-310, label="x")
    u = x * 1.0
    u.label = "u"
    y = u.log()                    # d/du log(u) = 1/u = inf for a subnormal u
    with pytest.raises(EngineError) as info:
        y.backward()
    msg = str(info.value)
    assert "inf" in msg and "label='u'" in msg and "not finite" in msg


def test_non_finite_gradient_in_a_deep_graph_names_the_node():
    x = Value(1e-200, label="x")
    s = (x * 1.0).sqrt()           # 1e-100
    t = s * 1e-210                 # 1e-310, subnormal
    y = t.log() * 1.0              # d/dt log(t) = 1e310: inf
    assert math.isfinite(y.data)
    with pytest.raises(EngineError,
                       match=r"gradient contribution inf from log node .* to its input Value\(1e-310\) "
                             r"is not finite"):
        y.backward()


def test_non_finite_gradient_reaching_a_leaf_raises():
    x = Value(1e-310, label="x")
    y = x.log()
    with pytest.raises(EngineError, match="x"):
        y.backward()
    assert math.isfinite(x.grad)


def test_non_finite_gradient_with_create_graph_raises():
    x = Value(1e-310, label="x")
    y = (x * 1.0).log()
    with pytest.raises(EngineError, match="not finite"):
        y.backward(create_graph=True)


def test_infinite_local_derivative_raises_in_backward():
    x = Value(0.0, label="x")
    y = x.sqrt()                   # forward is fine, d/dx sqrt at 0 is infinite
    assert y.data == 0.0
    with pytest.raises(EngineError) as info:
        y.backward()
    msg = str(info.value)
    assert "backward through sqrt(Value(0.0, label='x'))" in msg and "no finite value" in msg


def test_pow_of_a_negative_base_with_a_value_exponent_raises_in_backward():
    a, b = Value(-2.0, label="a"), Value(3.0, label="b")
    c = a ** b
    assert c.data == -8.0
    with pytest.raises(EngineError, match=r"backward through pow\(Value\(-2.0, label='a'\), "
                                          r"Value\(3.0, label='b'\)\)"):
        c.backward()


def test_bad_backward_seed():
    x = Value(1.0)
    with pytest.raises(ValueError, match=r"backward\(grad\).*nan"):
        (x * 2).backward(grad=float("nan"))
    with pytest.raises(TypeError, match=r"backward\(grad\)"):
        (x * 2).backward(grad="1")


def test_grad_with_a_number_as_outputs_names_the_argument():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"grad\(outputs"):
        grad(3.0, [x])


def test_bad_grad_arguments():
    x = Value(1.0)
    with pytest.raises(TypeError, match=r"grad\(outputs\[0\]\): expected a Value, got 3.0"):
        grad([3.0], [x])
    with pytest.raises(TypeError, match=r"grad\(inputs\[1\]\): expected a Value, got 'y'"):
        grad(x * 2, [x, "y"])
    with pytest.raises(ValueError, match=r"grad\(grad_outputs\): 2 given for 1 outputs"):
        grad(x * 2, [x], grad_outputs=[1.0, 2.0])


def test_detect_anomaly_names_where_the_failing_node_was_made():
    x = Value(1e-310, label="x")
    with detect_anomaly():
        u = x * 1.0
        y = u.log()
    with pytest.raises(EngineError) as info:
        y.backward()
    assert "test_engine_errors.py:" in str(info.value)
    z = (x * 1.0).log()
    with pytest.raises(EngineError, match="detect_anomaly"):
        z.backward()


def test_detect_anomaly_raises_at_once_in_forward():
    with detect_anomaly(), pytest.raises(EngineError, match=r"log\(Value\(-1.0, label='q'\)\)"):
        Value(-1.0, label="q").log()


# ------------------------------------------------------------ gradcheck's own bad input
def test_gradcheck_rejects_bad_arguments():
    with pytest.raises(TypeError, match=r"gradcheck\(inputs\[1\]\): expected a number or a Value, got 'a'"):
        gradcheck(lambda x, y: x * y, [1.0, "a"])
    with pytest.raises(TypeError, match=r"gradcheck\(inputs\): expected a sequence"):
        gradcheck(lambda x: x, 1.0)
    with pytest.raises(ValueError, match=r"gradcheck\(inputs\[0\]\): nan is not finite"):
        gradcheck(lambda x: x, [float("nan")])
    with pytest.raises(ValueError, match=r"gradcheck\(eps\)"):
        gradcheck(lambda x: x, [1.0], eps=0.0)
    with pytest.raises(ValueError, match=r"gradgradcheck\(atol\)"):
        gradgradcheck(lambda x: x, [1.0], atol=-1.0)
    with pytest.raises(TypeError, match=r"gradcheck\(fn\): fn must return a Value, got 2.0"):
        gradcheck(lambda x: 2.0, [1.0])
    with pytest.raises(ValueError, match=r"gradcheck\(inputs\): no inputs"):
        gradcheck(lambda: Value(1.0), [])


def test_gradcheck_names_a_point_at_the_edge_of_the_domain():
    with pytest.raises(ValueError, match=r"gradcheck: fn cannot be evaluated at inputs\[0\] = 1e-07"):
        gradcheck(lambda x: x.log(), [1e-7], eps=1e-6)
