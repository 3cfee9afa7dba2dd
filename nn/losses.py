"""The lectures' loss functions, on ONE example, built from Value ops.

Each loss takes the network's outputs for one example (a list of Values, or one
Value) and that example's target, and returns a Value. ``nn.fit`` averages them over
a mini-batch, which gives the lectures' 1/n Σₓ; so ``mse`` here is ‖y − a‖² for one
example and its batch mean is the issue's 1/n Σ‖y − a‖².

Targets may be plain numbers or Values (the compiled replay passes placeholder
Values), so no loss branches on data: every formula is one straight-line graph.

- :func:`mse`: ‖y − a‖²;  :func:`half_mse`: ½‖y − a‖² (Nielsen's convention).
- :func:`bce`: −Σₖ [yₖ log aₖ + (1 − yₖ) log(1 − aₖ)] on probabilities a (after a sigmoid).
- :func:`bce_with_logits`: the same on logits z, computed stably as
  max(z, 0) − z·y + log(1 + e^(−|z|)) (exact gradient σ(z) − y everywhere, also at z = 0).
- :func:`cross_entropy`: softmax + negative log-likelihood on logits, by log-sum-exp:
  log Σⱼ e^(zⱼ − m) + m − z_y with m = max z. The target is a class index or a one-hot list.
- :func:`hinge`: Σₖ max(0, 1 − yₖ sₖ) with labels yₖ = ±1 (micrograd's max-margin loss).
- :func:`l2`: λ/2n Σ w², the lectures' weight penalty.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from autograd_lite import Value

__all__ = ["mse", "half_mse", "bce", "bce_with_logits", "cross_entropy", "hinge", "l2", "LOSSES", "get"]


def _outputs(a: Any, where: str) -> list:
    if type(a) is Value or isinstance(a, numbers.Real):
        return [a]
    a = list(a)
    if not a:
        raise ValueError(f"{where}: outputs are empty")
    return a


def _targets(y: Any, n: int, where: str) -> list:
    ys = [y] if (type(y) is Value or isinstance(y, numbers.Real)) else list(y)
    if len(ys) != n:
        raise ValueError(f"{where}: {n} output(s) but {len(ys)} target(s) ({y!r:.80})")
    for v in ys:
        if type(v) is not Value and (isinstance(v, bool) or not isinstance(v, numbers.Real)
                                     or not math.isfinite(v)):
            raise ValueError(f"{where}: targets must be finite numbers or Values, got {v!r}")
    return ys


def mse(outputs: Value | Sequence, target: Any) -> Value:
    """‖y − a‖² = Σₖ (yₖ − aₖ)² for one example (a batch mean gives 1/n Σ‖y − a‖²)."""
    a = _outputs(outputs, "mse")
    y = _targets(target, len(a), "mse")
    return Value.sum([(yk - ak) ** 2 for ak, yk in zip(a, y)])


def half_mse(outputs: Value | Sequence, target: Any) -> Value:
    """½‖y − a‖² for one example: the quadratic cost of Nielsen's book (1/2n Σ over a batch)."""
    return 0.5 * mse(outputs, target)


def bce(outputs: Value | Sequence, target: Any) -> Value:
    """Binary cross-entropy on probabilities aₖ ∈ (0, 1): −Σₖ [yₖ log aₖ + (1 − yₖ) log(1 − aₖ)].

    A saturated sigmoid (aₖ exactly 0 or 1) makes a log infinite and the engine raises;
    use :func:`bce_with_logits` on the pre-sigmoid outputs for a stable version.
    """
    a = _outputs(outputs, "bce")
    y = _targets(target, len(a), "bce")
    return -Value.sum([yk * ak.log() + (1.0 - yk) * (1.0 - ak).log() for ak, yk in zip(a, y)])


def bce_with_logits(outputs: Value | Sequence, target: Any) -> Value:
    """Binary cross-entropy of sigmoid(z) computed stably from logits z:
    Σₖ max(zₖ, 0) − zₖyₖ + log(1 + e^(−|zₖ|))."""
    z = _outputs(outputs, "bce_with_logits")
    y = _targets(target, len(z), "bce_with_logits")
    return Value.sum([_softplus(zk) - zk * yk for zk, yk in zip(z, y)])


def _softplus(z: Value) -> Value:
    """log(1 + eᶻ) = max(z, 0) + log(1 + e^(−|z|)), stable for any z.

    max(z, 0) and |z| = max(z, −z) are ``max`` nodes, whose gradient at a tie goes to
    the first input, so at z = 0 both take the z ≥ 0 branch and the derivative is the
    true σ(0) = ½ (relu and abs would give the subgradient 0 there).
    """
    return Value.max([z, 0.0]) + (1.0 + (-Value.max([z, -z])).exp()).log()


def cross_entropy(logits: Sequence, target: Any) -> Value:
    """Softmax + negative log-likelihood of the true class, from logits, by log-sum-exp.

    ``target`` is a class index (int) or a one-hot list (numbers or Values, as the
    compiled replay uses). Its gradient with respect to zₖ is sₖ − yₖ, the lectures'
    δ = s − 1 for the true class.
    """
    z = _outputs(logits, "cross_entropy")
    if len(z) < 2:
        raise ValueError(f"cross_entropy: needs at least 2 logits (one per class), got {len(z)}")
    m = Value.max(z)
    lse = Value.sum([(zk - m).exp() for zk in z]).log() + m
    if isinstance(target, numbers.Integral) and not isinstance(target, bool):
        k = int(target)
        if not 0 <= k < len(z):
            raise ValueError(f"cross_entropy: class index {k} out of range 0..{len(z) - 1}")
        return lse - z[k]
    y = _targets(target, len(z), "cross_entropy")
    return lse - Value.sum([yk * zk for zk, yk in zip(z, y)])


def hinge(outputs: Value | Sequence, target: Any) -> Value:
    """Max-margin loss Σₖ max(0, 1 − yₖ sₖ) on scores s with labels yₖ = ±1."""
    s = _outputs(outputs, "hinge")
    y = _targets(target, len(s), "hinge")
    for v in y:
        if type(v) is not Value and v not in (-1.0, 1.0):
            raise ValueError(f"hinge: labels must be -1 or +1, got {v!r}")
    return Value.sum([(1.0 - yk * sk).relu() for sk, yk in zip(s, y)])


def l2(params: Iterable[Value], lam: float, n: int) -> Value:
    """The lectures' L2 penalty λ/2n Σ w² over ``params`` (pass the weights, not the biases).

    ``n`` is the size of the training set (as in the lectures and Nielsen's book, also
    when training on mini-batches).
    """
    if isinstance(lam, bool) or not isinstance(lam, numbers.Real) or not math.isfinite(lam) or lam < 0:
        raise ValueError(f"l2: lam must be a finite number >= 0, got {lam!r}")
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 1:
        raise ValueError(f"l2: n (the training-set size) must be a positive integer, got {n!r}")
    ps = list(params)
    return (float(lam) / (2.0 * n)) * Value.sum([p * p for p in ps])


#: Loss name -> per-example function (outputs, target) -> Value.
LOSSES: dict[str, Callable[[Any, Any], Value]] = {
    "mse": mse, "half_mse": half_mse, "bce": bce, "bce_with_logits": bce_with_logits,
    "cross_entropy": cross_entropy, "hinge": hinge,
}


def get(loss: str | Callable) -> Callable[[Any, Any], Value]:
    """A loss by name (see :data:`LOSSES`), or the callable itself."""
    if callable(loss):
        return loss
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"unknown loss {loss!r}; choose one of {', '.join(LOSSES)} or pass a function")
    return LOSSES[loss]
