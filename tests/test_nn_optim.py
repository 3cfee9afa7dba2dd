"""nn.SGD and nn.Adam: updates against hand formulas and torch.optim, schedules, bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

import nn
from autograd_lite import Value

W0 = [0.5, -1.5, 2.0]


def _loss(ws):
    """A small non-quadratic loss so that several steps differ from one."""
    a, b, c = ws
    return (a * b - 1.0) ** 2 + (c * a).tanh() + b ** 4 * 0.1


def _run(opt_factory, steps=5):
    ws = [Value(w) for w in W0]
    opt = opt_factory(ws)
    for _ in range(steps):
        opt.zero_grad()
        _loss(ws).backward()
        opt.step()
    return [w.data for w in ws], opt


def _run_torch(opt_factory, steps=5):
    import torch

    ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in W0]
    opt = opt_factory(ws)
    for _ in range(steps):
        opt.zero_grad()
        a, b, c = ws
        loss = (a * b - 1.0) ** 2 + torch.tanh(c * a) + b ** 4 * 0.1
        loss.backward()
        opt.step()
    return [w.item() for w in ws]


def test_plain_sgd_step_is_w_minus_lr_grad():
    ws = [Value(w) for w in W0]
    loss = _loss(ws)
    loss.backward()
    grads = [w.grad for w in ws]
    opt = nn.SGD(ws, lr=0.1)
    opt.step()
    assert [w.data for w in ws] == [w0 - 0.1 * g for w0, g in zip(W0, grads)]
    assert opt.steps == 1
    opt.zero_grad()
    assert [w.grad for w in ws] == [0.0, 0.0, 0.0]


@pytest.mark.needs_torch
@pytest.mark.parametrize("momentum, wd", [(0.0, 0.0), (0.9, 0.0), (0.5, 0.01)])
def test_sgd_matches_torch(momentum, wd):
    import torch

    ours, _ = _run(lambda ps: nn.SGD(ps, lr=0.05, momentum=momentum, weight_decay=wd))
    ref = _run_torch(lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=momentum, weight_decay=wd))
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-13)


@pytest.mark.needs_torch
def test_adam_matches_torch():
    import torch

    ours, _ = _run(lambda ps: nn.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-7), steps=8)
    ref = _run_torch(lambda ps: torch.optim.Adam(ps, lr=0.01, betas=(0.8, 0.99), eps=1e-7), steps=8)
    np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-13)


def test_micrograd_linear_decay_schedule():
    seen = []
    ws = [Value(1.0)]
    opt = nn.SGD(ws, lr=lambda k: 1.0 - 0.9 * k / 100)
    for _ in range(100):
        seen.append(opt.lr)
        before = ws[0].data
        ws[0].grad = 1.0
        opt.step()
        assert ws[0].data == pytest.approx(before - seen[-1], abs=1e-15)
    assert seen[0] == 1.0 and seen[50] == pytest.approx(0.55) and seen[99] == pytest.approx(0.109)
    assert ws[0].data == pytest.approx(1.0 - sum(1.0 - 0.9 * k / 100 for k in range(100)), abs=1e-12)


@pytest.mark.needs_torch
def test_schedule_matches_torch_lambda_lr():
    import torch

    sched = lambda k: 0.1 * 0.9 ** k  # noqa: E731
    ours, _ = _run(lambda ps: nn.SGD(ps, lr=sched, momentum=0.5), steps=6)

    ws = [torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in W0]
    opt = torch.optim.SGD(ws, lr=0.1, momentum=0.5)
    lr_sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: 0.9 ** k)
    for _ in range(6):
        opt.zero_grad()
        a, b, c = ws
        ((a * b - 1.0) ** 2 + torch.tanh(c * a) + b ** 4 * 0.1).backward()
        opt.step()
        lr_sched.step()
    np.testing.assert_allclose(ours, [w.item() for w in ws], rtol=0, atol=1e-13)


def test_bad_arguments():
    ws = [Value(1.0)]
    for lr in (0, -0.1, float("nan"), True):
        with pytest.raises(ValueError, match=rf"SGD\(lr\) must be a finite number > 0, got {lr!r}"):
            nn.SGD(ws, lr=lr)
    with pytest.raises(ValueError, match=r"Adam\(lr\) must be a finite number > 0, got 0"):
        nn.Adam(ws, lr=0)
    opt = nn.SGD(ws, lr=lambda k: 1.0 - k)
    opt.step()
    with pytest.raises(ValueError, match="SGD: lr schedule at step 1 must be a finite number > 0, got 0.0"):
        opt.step()
    with pytest.raises(ValueError, match=r"SGD\(params\): no parameters"):
        nn.SGD([], lr=0.1)
    with pytest.raises(TypeError, match=r"SGD\(params\[1\]\): expected a Value, got 2.0"):
        nn.SGD([Value(1.0), 2.0], lr=0.1)
    with pytest.raises(ValueError, match="computed node"):
        nn.SGD([Value(1.0) * 2], lr=0.1)
    with pytest.raises(ValueError, match="listed twice"):
        nn.SGD(ws + ws, lr=0.1)
    with pytest.raises(ValueError, match=r"SGD\(momentum\) must be a number in \[0.0, 1.0\), got 1.0"):
        nn.SGD(ws, lr=0.1, momentum=1.0)
    with pytest.raises(ValueError, match=r"Adam\(betas\)"):
        nn.Adam(ws, lr=0.1, betas=(0.9,))
    x = Value(2.0)
    (x ** 3).backward(create_graph=True)
    with pytest.raises(TypeError, match="is a Value"):
        nn.SGD([x], lr=0.1).step()
    y = Value(1.0)
    y.grad = float("inf")
    with pytest.raises(ValueError, match="gradient of .* is inf"):
        nn.SGD([y], lr=0.1).step()
