"""nn.losses: values and gradients against hand formulas and PyTorch (float64)."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd_lite import Value
from nn import losses as L


def _vals(xs):
    return [Value(float(x)) for x in xs]


def test_mse_and_half_mse():
    a = _vals([0.2, -1.0, 3.0])
    y = [1.0, 0.0, 2.5]
    loss = L.mse(a, y)
    assert loss.data == pytest.approx(0.8 ** 2 + 1.0 + 0.25, abs=1e-15)
    loss.backward()
    assert [v.grad for v in a] == pytest.approx([2 * (0.2 - 1), 2 * (-1.0), 2 * 0.5], abs=1e-15)
    b = _vals([0.2, -1.0, 3.0])
    half = L.half_mse(b, y)
    assert half.data == pytest.approx(loss.data / 2, abs=1e-15)
    half.backward()
    assert [v.grad for v in b] == pytest.approx([0.2 - 1, -1.0, 0.5], abs=1e-15)  # ∇ₐC = a − y
    assert L.mse(Value(2.0), 0.5).data == 2.25  # one output: a bare Value and number


@pytest.mark.needs_torch
def test_bce_and_bce_with_logits_match_torch():
    import torch

    z = np.array([-3.0, -0.2, 0.0, 1.5, 4.0])
    y = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    zt = torch.tensor(z, requires_grad=True)
    ref = torch.nn.functional.binary_cross_entropy_with_logits(zt, torch.tensor(y), reduction="sum")
    ref.backward()
    zv = _vals(z)
    got = L.bce_with_logits(zv, y.tolist())
    got.backward()
    assert got.data == pytest.approx(ref.item(), abs=1e-13)
    np.testing.assert_allclose([v.grad for v in zv], zt.grad.numpy(), rtol=0, atol=1e-13)

    p = 1 / (1 + np.exp(-z))
    pt = torch.tensor(p, requires_grad=True)
    ref = torch.nn.functional.binary_cross_entropy(pt, torch.tensor(y), reduction="sum")
    ref.backward()
    pv = _vals(p)
    got = L.bce(pv, y.tolist())
    got.backward()
    assert got.data == pytest.approx(ref.item(), abs=1e-12)
    np.testing.assert_allclose([v.grad for v in pv], pt.grad.numpy(), rtol=1e-12)


def test_bce_with_logits_is_stable_for_large_logits():
    z = Value(800.0)
    loss = L.bce_with_logits([z], [0.0])  # log(1 + e^800) would overflow done naively
    assert loss.data == pytest.approx(800.0, abs=1e-12)
    loss.backward()
    assert z.grad == pytest.approx(1.0, abs=1e-12)
    assert L.bce_with_logits([Value(-800.0)], [0.0]).data == pytest.approx(0.0, abs=1e-300)


@pytest.mark.needs_torch
def test_cross_entropy_matches_torch_by_index_and_one_hot():
    import torch

    z = np.array([2.0, -1.0, 0.5, 3.0])
    for k in range(4):
        zt = torch.tensor(z, requires_grad=True)
        ref = torch.nn.functional.cross_entropy(zt[None], torch.tensor([k]))
        ref.backward()
        for target in (k, [1.0 if j == k else 0.0 for j in range(4)]):
            zv = _vals(z)
            got = L.cross_entropy(zv, target)
            got.backward()
            assert got.data == pytest.approx(ref.item(), abs=1e-14)
            np.testing.assert_allclose([v.grad for v in zv], zt.grad.numpy(), rtol=0, atol=1e-15)
            # the lectures' δ = s − y
            s = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
            np.testing.assert_allclose([v.grad for v in zv], s - np.eye(4)[k], rtol=0, atol=1e-15)


def test_cross_entropy_is_stable_for_large_logits():
    z = _vals([1000.0, 0.0, -1000.0])
    loss = L.cross_entropy(z, 1)
    assert loss.data == pytest.approx(1000.0, abs=1e-12)
    loss.backward()
    assert [v.grad for v in z] == pytest.approx([1.0, -1.0, 0.0], abs=1e-12)


def test_hinge():
    s = _vals([0.3, -2.0, 1.5])
    loss = L.hinge(s, [1.0, -1.0, -1.0])
    assert loss.data == pytest.approx(0.7 + 0.0 + 2.5, abs=1e-15)
    loss.backward()
    assert [v.grad for v in s] == [-1.0, 0.0, 1.0]
    with pytest.raises(ValueError, match="hinge: labels must be -1 or \\+1, got 0.0"):
        L.hinge([Value(0.0)], [0.0])


def test_l2_is_lambda_over_2n_sum_of_squares():
    ws = _vals([0.5, -2.0, 1.0])
    pen = nn.l2(ws, 0.3, 10)
    assert pen.data == pytest.approx(0.3 / 20 * (0.25 + 4 + 1), abs=1e-15)
    pen.backward()
    assert [w.grad for w in ws] == pytest.approx([0.3 / 10 * w.data for w in ws], abs=1e-15)
    with pytest.raises(ValueError, match="l2: lam must be a finite number >= 0, got -1"):
        nn.l2(ws, -1, 10)
    with pytest.raises(ValueError, match=r"l2: n \(the training-set size\) must be a positive integer"):
        nn.l2(ws, 0.1, 0)


def test_bad_arguments():
    with pytest.raises(ValueError, match="unknown loss 'mae'; choose one of mse, half_mse"):
        L.get("mae")
    assert L.get("hinge") is L.hinge
    with pytest.raises(ValueError, match="cross_entropy: class index 3 out of range 0..2"):
        L.cross_entropy(_vals([1, 2, 3]), 3)
    with pytest.raises(ValueError, match=r"mse: 2 output\(s\) but 3 target\(s\)"):
        L.mse(_vals([1, 2]), [1, 2, 3])
    with pytest.raises(ValueError, match="targets must be finite numbers or Values, got nan"):
        L.mse(_vals([1]), [math.nan])
    with pytest.raises(ValueError, match="needs at least 2 logits"):
        L.cross_entropy([Value(1.0)], 0)


def test_bce_with_logits_gradient_at_zero_is_sigmoid_minus_target():
    for y in (0.0, 1.0):
        z = Value(0.0)
        loss = L.bce_with_logits(z, y)
        assert loss.data == pytest.approx(math.log(2.0), abs=1e-15)
        loss.backward()
        assert z.grad == pytest.approx(0.5 - y, abs=1e-15)
