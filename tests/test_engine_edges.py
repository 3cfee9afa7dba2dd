"""Edges of the engine's domain: pow at a zero base or exponent, and modes on generator functions."""

from __future__ import annotations

import numpy as np
import pytest

from autograd_lite import Value, detect_anomaly, grad, is_grad_enabled, no_grad, scope
from autograd_lite.primitives import ARRAY, FLOAT, POW
from autograd_lite.value import origin


def test_pow_with_zero_exponent_has_zero_derivative_also_at_zero_base():
    x = Value(0.0)
    (x ** 0).backward()
    assert x.grad == 0.0
    x = Value(3.0)
    (x ** 0.0).backward()
    assert x.grad == 0.0


def test_pow_at_zero_base_with_value_exponent():
    a, b = Value(0.0), Value(2.0)
    (a ** b).backward()
    assert (a.grad, b.grad) == (0.0, 0.0)      # 2·0¹ and 0²·log 0 → 0 (its limit)
    b = Value(2.0)
    (0 ** b).backward()
    assert b.grad == 0.0


def test_all_derivatives_of_x_cubed_at_zero():
    x = Value(0.0)
    g, found = x ** 3, []
    for _ in range(5):
        (g,) = grad(g, [x], create_graph=True)
        found.append(g.data)
    assert found == [0.0, 0.0, 6.0, 0.0, 0.0]


def test_mixed_derivative_of_pow_at_zero_exponent():
    x, y = Value(2.0), Value(0.0)
    (d,) = grad(x ** y, [x], create_graph=True)     # y·x^(y−1) = 0 at y = 0
    assert d.data == 0.0
    assert grad(d, [y]) == [0.5]                     # ∂/∂y (y·x^(y−1)) = x^(y−1) + ... = 1/x


def test_pow_rule_is_the_same_on_arrays():
    x = np.array([0.0, 2.0, 0.0, 3.0])
    y = np.array([0.0, 0.0, 2.0, 2.0])
    out = ARRAY.pow(x, y)
    for i in range(4):
        args = [x[i], y[i]]
        assert POW.partial(0, [x, y], out, ARRAY)[i] == POW.partial(0, args, out[i], FLOAT)
        assert POW.partial(1, [x, y], out, ARRAY)[i] == POW.partial(1, args, out[i], FLOAT)


@pytest.mark.needs_torch
def test_pow_at_zero_matches_torch():
    import torch

    for xv, yv in ((0.0, 0.0), (0.0, 2.0), (0.0, 3.0), (2.0, 0.0)):
        tx = torch.tensor(xv, dtype=torch.float64, requires_grad=True)
        ty = torch.tensor(yv, dtype=torch.float64, requires_grad=True)
        (tx ** ty).backward()
        x, y = Value(xv), Value(yv)
        (x ** y).backward()
        assert (x.grad, y.grad) == (tx.grad.item(), ty.grad.item()), (xv, yv)


def test_no_grad_decorates_a_generator_function():
    x = Value(1.0)

    @no_grad()
    def gen():
        sent = yield x * 2
        yield x * 3, sent, is_grad_enabled()
        return "done"

    it = gen()
    first = next(it)
    assert first.parents == () and is_grad_enabled()       # the mode does not leak while suspended
    second, sent, inside = it.send("hello")
    assert second.parents == () and sent == "hello" and inside is False
    with pytest.raises(StopIteration) as stop:
        next(it)
    assert stop.value.value == "done"
    assert (x * 4).parents == (x, 4.0)


def test_scope_and_anomaly_decorate_generators_too():
    x = Value(1.0)

    @scope("layer")
    def tagged():
        yield x * 2

    @detect_anomaly()
    def checked():
        yield x.sqrt()

    assert next(tagged()).scope == "layer"
    assert (x * 2).scope is None
    y = next(checked())
    # co_firstlineno is the decorator line; the yield is two lines below
    assert origin(y) is not None and origin(y).endswith(f":{checked.__wrapped__.__code__.co_firstlineno + 2}")
    assert origin(x.sqrt()) is None


def test_closing_a_decorated_generator_runs_its_cleanup_in_the_mode():
    seen = []

    @no_grad()
    def gen():
        try:
            yield 1
        finally:
            seen.append(is_grad_enabled())

    it = gen()
    next(it)
    it.close()
    assert seen == [False] and is_grad_enabled()


def test_integers_too_large_for_a_float_are_refused_by_name():
    with pytest.raises(ValueError, match=r"Value\(data\): 1000000.* is too large for a float"):
        Value(10 ** 400)
    with pytest.raises(ValueError, match=r"mul: operand 1000000.* is too large for a float"):
        Value(1.0) * 10 ** 400
