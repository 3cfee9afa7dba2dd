"""Check a function's analytic derivatives against central finite differences.

``gradcheck`` compares the first derivatives the engine computes (``grad``) with
``(f(x + ε·eᵢ) - f(x - ε·eᵢ)) / 2ε``; ``gradgradcheck`` compares the second
derivatives (``grad`` with ``create_graph=True``, then ``grad`` again) with central
differences of the analytic gradient. Both return a :class:`CheckReport`: truthy
when every derivative agrees, with a readable table of the ones that do not::

    >>> from autograd_lite import gradcheck
    >>> report = gradcheck(lambda w, x: (w * x).tanh(), [0.5, 2.0])
    >>> bool(report), report.failures
    (True, [])

A derivative agrees when ``|analytic - numeric| <= atol + rtol * |numeric|``.
Finite differences only make sense where the function is smooth: keep the inputs
away from kinks (``relu``, ``abs``, ``max``) and from the edges of domains.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from .autodiff import grad
from .value import Value

__all__ = ["gradcheck", "gradgradcheck", "CheckReport", "CheckFailure"]


@dataclass(frozen=True)
class CheckFailure:
    """One derivative that disagrees: ``inputs`` are the input indices it is taken with respect to
    (one for a gradient, two for a Hessian entry), ``labels`` their labels ("" when unlabeled)."""

    inputs: tuple[int, ...]
    labels: tuple[str, ...]
    analytic: float
    numeric: float

    @property
    def abs_error(self) -> float:
        return abs(self.analytic - self.numeric)

    @property
    def rel_error(self) -> float:
        """``abs_error / |numeric|`` (inf when the numeric derivative is exactly 0 and they differ)."""
        if self.numeric == 0.0:
            return 0.0 if self.analytic == 0.0 else float("inf")
        return self.abs_error / abs(self.numeric)

    def name(self) -> str:
        """The derivative as text, e.g. ``∂/∂x[0](w)`` or ``∂²/∂x[0](w)∂x[2]`` (labels in brackets)."""
        order = len(self.inputs)
        wrt = "".join(f"∂x[{i}]" + (f"({lab})" if lab else "") for i, lab in zip(self.inputs, self.labels))
        head = "∂" if order == 1 else f"∂{_SUPERSCRIPT.get(order, str(order))}"
        return f"{head}/{wrt}"


_SUPERSCRIPT = {2: "²", 3: "³"}


@dataclass
class CheckReport:
    """What :func:`gradcheck` or :func:`gradgradcheck` found.

    Truthy when every derivative agrees. ``failures`` lists the ones that do not,
    ``checked`` counts the derivatives compared; ``str(report)`` is a table.
    """

    kind: str
    checked: int
    eps: float
    atol: float
    rtol: float
    failures: list[CheckFailure] = field(default_factory=list)

    def __bool__(self) -> bool:
        return not self.failures

    def __str__(self) -> str:
        tol = f"eps={self.eps:g}, atol={self.atol:g}, rtol={self.rtol:g}"
        if not self.failures:
            return f"{self.kind}: all {self.checked} derivatives agree ({tol})"
        rows = [(f.name(), f"{f.analytic:.10g}", f"{f.numeric:.10g}", f"{f.abs_error:.3e}",
                 f"{f.rel_error:.3e}") for f in self.failures]
        head = ("derivative", "analytic", "numeric", "abs error", "rel error")
        widths = [max(len(r[k]) for r in [head, *rows]) for k in range(len(head))]
        lines = [f"{self.kind}: {len(self.failures)} of {self.checked} derivatives disagree ({tol})",
                 "  ".join(h.ljust(w) for h, w in zip(head, widths))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"CheckReport({self.kind!r}, checked={self.checked}, failures={len(self.failures)})"


def _points(inputs: Sequence, where: str) -> tuple[list[float], list[str]]:
    if isinstance(inputs, (Value, numbers.Real)):
        raise TypeError(f"{where}(inputs): expected a sequence of numbers or Values, got {inputs!r}")
    xs, labels = [], []
    for i, x in enumerate(inputs):
        if type(x) is Value:
            xs.append(x._data)
            labels.append(x.label)
        elif isinstance(x, numbers.Real) and not isinstance(x, bool):
            f = float(x)
            if f - f != 0.0:
                raise ValueError(f"{where}(inputs[{i}]): {x!r} is not finite")
            xs.append(f)
            labels.append("")
        else:
            raise TypeError(f"{where}(inputs[{i}]): expected a number or a Value, got {x!r}")
    if not xs:
        raise ValueError(f"{where}(inputs): no inputs given")
    return xs, labels


def _check_tolerances(where: str, eps: float, atol: float, rtol: float) -> None:
    if not (isinstance(eps, numbers.Real) and 0.0 < eps < 1.0):
        raise ValueError(f"{where}(eps): expected a step in (0, 1), got {eps!r}")
    for name, t in (("atol", atol), ("rtol", rtol)):
        if not (isinstance(t, numbers.Real) and t >= 0.0):
            raise ValueError(f"{where}({name}): expected a number >= 0, got {t!r}")


def _call(fn: Callable, xs: Sequence[float], labels: Sequence[str], where: str) -> tuple[Value, list[Value]]:
    leaves = [Value(x, lab) for x, lab in zip(xs, labels)]
    out = fn(*leaves)
    if type(out) is not Value:
        raise TypeError(f"{where}(fn): fn must return a Value, got {out!r} at inputs {list(xs)!r}")
    return out, leaves


def _shifted(xs: list[float], j: int, h: float) -> list[float]:
    ys = list(xs)
    ys[j] += h
    return ys


def _central(f: Callable[[list[float]], list[float]], xs: list[float], j: int, eps: float,
             where: str) -> list[float]:
    try:
        hi = f(_shifted(xs, j, eps))
        lo = f(_shifted(xs, j, -eps))
    except ArithmeticError as e:
        raise ValueError(f"{where}: fn cannot be evaluated at inputs[{j}] = {xs[j]!r} ± {eps!r} "
                         f"(the point is too close to the edge of fn's domain): {e}") from e
    return [(a - b) / (2.0 * eps) for a, b in zip(hi, lo)]


def _agree(a: float, n: float, atol: float, rtol: float) -> bool:
    return abs(a - n) <= atol + rtol * abs(n)


def gradcheck(fn: Callable[..., Value], inputs: Sequence, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-4) -> CheckReport:
    """Compare ``fn``'s analytic gradient with central finite differences.

    ``fn`` takes one Value per input and returns a Value. ``inputs`` are numbers or
    Values (only their data and labels are used: ``fn`` is called on fresh leaves).
    The analytic gradient comes from :func:`autograd_lite.grad`; the numeric one is
    ``(fn(x + eps·eⱼ) - fn(x - eps·eⱼ)) / 2·eps``. ``fn`` may call :func:`grad` itself
    (to check a derivative of a derivative).
    Returns a :class:`CheckReport` (truthy when all agree).
    """
    _check_tolerances("gradcheck", eps, atol, rtol)
    xs, labels = _points(inputs, "gradcheck")
    out, leaves = _call(fn, xs, labels, "gradcheck")
    analytic = grad(out, leaves)

    def value(ys: list[float]) -> list[float]:
        # Recorded as usual (not under no_grad): fn may itself call grad, e.g. to check a derivative.
        return [_call(fn, ys, labels, "gradcheck")[0]._data]

    report = CheckReport("gradcheck", len(xs), eps, atol, rtol)
    for j in range(len(xs)):
        (numeric,) = _central(value, xs, j, eps, "gradcheck")
        if not _agree(analytic[j], numeric, atol, rtol):
            report.failures.append(CheckFailure((j,), (labels[j],), analytic[j], numeric))
    return report


def gradgradcheck(fn: Callable[..., Value], inputs: Sequence, eps: float = 1e-6, atol: float = 1e-5,
                  rtol: float = 1e-4) -> CheckReport:
    """Compare ``fn``'s analytic Hessian with central differences of its analytic gradient.

    The analytic Hessian is ``grad`` with ``create_graph=True`` followed by ``grad`` of each
    first derivative; the numeric one differentiates the (float) analytic gradient,
    ``H[i][j] ≈ (gᵢ(x + eps·eⱼ) - gᵢ(x - eps·eⱼ)) / 2·eps``. Every entry is compared,
    so a Hessian that is not symmetric shows up too. It checks the second order only: a
    wrong first derivative agrees with its own derivative, so run :func:`gradcheck` as well.
    Arguments as for :func:`gradcheck`.
    """
    _check_tolerances("gradgradcheck", eps, atol, rtol)
    xs, labels = _points(inputs, "gradgradcheck")
    out, leaves = _call(fn, xs, labels, "gradgradcheck")
    first = grad(out, leaves, create_graph=True)
    hessian = [grad(g, leaves) for g in first]

    def gradient(ys: list[float]) -> list[float]:
        o, lv = _call(fn, ys, labels, "gradgradcheck")
        return grad(o, lv)

    n = len(xs)
    report = CheckReport("gradgradcheck", n * n, eps, atol, rtol)
    for j in range(n):
        column = _central(gradient, xs, j, eps, "gradgradcheck")
        for i in range(n):
            if not _agree(hessian[i][j], column[i], atol, rtol):
                report.failures.append(CheckFailure((i, j), (labels[i], labels[j]), hessian[i][j], column[i]))
    report.failures.sort(key=lambda f: f.inputs)
    return report
