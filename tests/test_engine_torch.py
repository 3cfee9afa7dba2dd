"""The engine against PyTorch in float64: values, first and second derivatives of every primitive
(to 1e-12 relative at a set of points), and of random expression graphs."""

from __future__ import annotations

import math

import pytest
from engine_cases import CASES, Program, case_ids, programs, run_torch, run_values, usable
from hypothesis import HealthCheck, assume, given, settings

from autograd_lite import Value, grad

pytestmark = pytest.mark.needs_torch

REL = 1e-12
ABS = 1e-300      # mathematically zero derivatives must come out (essentially) exactly zero on both sides


def _torch():
    import torch
    return torch


def torch_derivatives(fn, xs):
    """Value, gradient and Hessian of ``fn`` at ``xs`` with torch float64 autograd."""
    torch = _torch()
    ts = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in xs]
    out = fn(*ts)
    firsts = torch.autograd.grad(out, ts, create_graph=True, allow_unused=True)
    gradient, hessian = [], []
    for g in firsts:
        if g is None:
            gradient.append(0.0)
            hessian.append([0.0] * len(ts))
            continue
        gradient.append(g.item())
        if not g.requires_grad:
            hessian.append([0.0] * len(ts))
            continue
        row = torch.autograd.grad(g, ts, retain_graph=True, allow_unused=True)
        hessian.append([0.0 if h is None else h.item() for h in row])
    return out.item(), gradient, hessian


def our_derivatives(fn, xs):
    """The same with autograd_lite: grad with create_graph, then grad of each first derivative."""
    vs = [Value(x) for x in xs]
    out = fn(*vs)
    firsts = grad(out, vs, create_graph=True)
    return out.data, [g.data for g in firsts], [grad(g, vs) for g in firsts]


def assert_close(ours, theirs, what, rel=REL, abs_=ABS):
    err = abs(ours - theirs) / max(abs(theirs), 1e-300)
    assert math.isclose(ours, theirs, rel_tol=rel, abs_tol=abs_), \
        f"{what}: autograd_lite {ours!r} vs torch {theirs!r} (rel {err:.2e})"


def compare(fn_ours, fn_torch, xs, rel=REL, abs_=ABS):
    v, g, H = our_derivatives(fn_ours, xs)
    tv, tg, tH = torch_derivatives(fn_torch, xs)
    assert_close(v, tv, f"value at {xs}", rel, abs_)
    for i in range(len(xs)):
        assert_close(g[i], tg[i], f"∂/∂x{i} at {xs}", rel, abs_)
        for j in range(len(xs)):
            assert_close(H[i][j], tH[i][j], f"∂²/∂x{i}∂x{j} at {xs}", rel, abs_)


@pytest.mark.parametrize("case", CASES, ids=case_ids(CASES))
def test_primitive_value_first_and_second_derivatives_match_torch(case):
    for xs in case.points:
        compare(case.fn, case.torch_fn or case.fn, list(xs))


def test_torch_comparison_can_tell_a_difference():
    # The harness itself: same values, different derivatives (torch's x·x.detach() has d/dx = x, not 2x).
    with pytest.raises(AssertionError, match="∂/∂x0 at"):
        compare(lambda x: x * x, lambda x: x * x.detach(), [0.3])
    with pytest.raises(AssertionError, match="∂²/∂x0∂x0 at"):
        compare(lambda x: x.sin(), lambda x: x.sin() + 0.5 * (x - x.detach()) ** 2, [0.3])


def test_lecture_example_matches_torch():
    def f(w, x, b):
        return ((w * x + b).sigmoid() - 1.0) ** 2

    compare(f, f, [0.5, 2.0, -1.0])


RANDOM = settings(max_examples=200, deadline=None, derandomize=True,
                  suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])


@RANDOM
@given(programs())
def test_random_graphs_match_torch(prog: Program):
    assume(usable(prog))
    # A composite can cancel (a - b with a ≈ b), where torch's and our rounding differ by a few ulps
    # of the terms rather than of the result: compare relative to the largest value in the graph.
    scale = max(1.0, usable_scale(prog))
    compare(lambda *xs: run_values(prog, xs)[0], lambda *ts: run_torch(prog, ts), list(prog.leaves),
            rel=1e-10, abs_=1e-12 * scale * scale)


def usable_scale(prog: Program) -> float:
    return run_values(prog, [Value(x) for x in prog.leaves])[2]
