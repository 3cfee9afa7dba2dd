"""The primitive table: every op's forward and local derivatives, written once.

Each :class:`Primitive` gives

* ``forward``: the op's value, computed from its inputs with the elementary
  functions of a *number kind* ``m`` (see :class:`FloatMath`, :class:`ArrayMath`;
  n-ary ops get a sequence, and on arrays a 2-D stack to reduce over axis 0);
* ``partials``: the local derivatives ∂out/∂inputᵢ, one per input (one shared by
  all inputs of an n-ary op), written with plain operators and ``m``. A partial is
  a function called as ``partial(*inputs, out, m)`` (n-ary: ``partial(xᵢ, out, m)``),
  or a float when it is a constant (``add``: 1.0 and 1.0).
Because the rules use only ``+ - * / **`` and ``m.<fn>``, the same rule evaluates

* on floats (``m = FLOAT``): the fast backward pass and the edge labels of drawings;
* on Values (``m = VALUE``, defined in :mod:`autograd_lite.value`): ``create_graph=True``,
  where gradients are themselves differentiable;
* on numpy arrays (``m = ARRAY``): the compiled replay over a batch.

No derivative is written anywhere else.

Adding a primitive
------------------
Register it once, then give :class:`~autograd_lite.Value` a method that applies it::

    from autograd_lite import Value, register_primitive, apply

    softplus = register_primitive(
        "softplus", arity=1,
        forward=lambda x, m: m.log(1.0 + m.exp(x)),
        partials=(lambda x, out, m: 1.0 - m.exp(-out),),   # = sigmoid(x)
    )
    y = apply(softplus, Value(0.3))      # a node with op "softplus"

Any function the rule needs (``exp`` and ``log`` here) must exist on every number
kind; the ones listed in :class:`FloatMath` do.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

__all__ = ["Primitive", "PRIMITIVES", "register_primitive", "FLOAT", "ARRAY", "FloatMath", "ArrayMath"]


@dataclass(frozen=True, slots=True)
class Primitive:
    """One op of the engine: its name, how to draw it, its forward and its local derivatives.

    ``arity`` is 1, 2, or -1 for n-ary ops (``sum``), whose single partial
    is applied to each input in turn.
    """

    name: str
    symbol: str
    arity: int
    forward: Callable
    partials: tuple

    def __repr__(self) -> str:
        return f"Primitive({self.name!r})"

    def partial(self, i: int, args, out, m):
        """∂out/∂args[i] evaluated on number kind ``m`` (floats, Values or arrays)."""
        f = self.partials[0 if self.arity == -1 else i]
        if type(f) is float:
            return f
        return f(args[i], out, m) if self.arity == -1 else f(*args, out, m)


PRIMITIVES: dict[str, Primitive] = {}


def register_primitive(name: str, arity: int, forward: Callable, partials: tuple | list,
                       symbol: str | None = None) -> Primitive:
    """Add a primitive to the table and return it. ``name`` must be new."""
    if name in PRIMITIVES:
        raise ValueError(f"primitive {name!r} is already registered")
    if arity not in (1, 2, -1):
        raise ValueError(f"arity of primitive {name!r} must be 1, 2 or -1 (n-ary), got {arity!r}")
    partials = tuple(float(p) if isinstance(p, (int, float)) else p for p in partials)
    for p in partials:
        if not (type(p) is float or callable(p)):
            raise TypeError(f"partials of primitive {name!r} must be functions or numbers, got {p!r}")
    if len(partials) != (1 if arity == -1 else arity):
        raise ValueError(f"primitive {name!r} with arity {arity} needs "
                         f"{1 if arity == -1 else arity} partial(s), got {len(partials)}")
    prim = Primitive(name, symbol or name, arity, forward, partials)
    PRIMITIVES[name] = prim
    return prim


# ---------------------------------------------------------------- number kinds
def _sigmoid(x: float) -> float:
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


class FloatMath:
    """Elementary functions on Python floats (the eager engine and drawings)."""

    exp = staticmethod(math.exp)
    log = staticmethod(math.log)
    sqrt = staticmethod(math.sqrt)
    sin = staticmethod(math.sin)
    cos = staticmethod(math.cos)
    tanh = staticmethod(math.tanh)
    sigmoid = staticmethod(_sigmoid)
    abs = staticmethod(abs)
    pow = staticmethod(math.pow)
    sum = staticmethod(sum)
    maximum = staticmethod(max)

    @staticmethod
    def pos(x: float) -> float:
        """Heaviside step: 1.0 where x > 0, else 0.0."""
        return 1.0 if x > 0.0 else 0.0

    @staticmethod
    def sign(x: float) -> float:
        return 1.0 if x > 0.0 else (-1.0 if x < 0.0 else 0.0)

    @staticmethod
    def relu(x: float) -> float:
        return x if x > 0.0 else 0.0

    @staticmethod
    def powd(x: float, y: float) -> float:
        """y·x^(y−1), and 0 where y = 0 (x⁰ is constant, also at x = 0)."""
        return 0.0 if y == 0.0 else y * math.pow(x, y - 1.0)

    @staticmethod
    def xlogy(a: float, x: float) -> float:
        """a·log x, and 0 where x = 0 (the limit of x^y·log x for y > 0)."""
        return 0.0 if x == 0.0 else a * math.log(x)


def _array_sigmoid(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


class ArrayMath:
    """The same functions on numpy arrays (the compiled replay)."""

    exp = staticmethod(np.exp)
    log = staticmethod(np.log)
    sqrt = staticmethod(np.sqrt)
    sin = staticmethod(np.sin)
    cos = staticmethod(np.cos)
    tanh = staticmethod(np.tanh)
    sigmoid = staticmethod(_array_sigmoid)
    abs = staticmethod(np.abs)
    pow = staticmethod(np.power)
    sign = staticmethod(np.sign)

    @staticmethod
    def sum(xs):
        return np.sum(xs, axis=0)

    maximum = staticmethod(np.maximum)

    @staticmethod
    def pos(x):
        return np.greater(x, 0.0).astype(np.float64)

    @staticmethod
    def relu(x):
        return np.maximum(x, 0.0)

    @staticmethod
    def powd(x, y):
        x, y = np.broadcast_arrays(np.asarray(x, dtype=np.float64), np.asarray(y, dtype=np.float64))
        out = np.zeros(x.shape)
        np.power(x, y - 1.0, out=out, where=y != 0.0)
        return y * out

    @staticmethod
    def xlogy(a, x):
        a, x = np.broadcast_arrays(np.asarray(a, dtype=np.float64), np.asarray(x, dtype=np.float64))
        out = np.zeros(x.shape)
        np.log(x, out=out, where=x != 0.0)
        return a * out


FLOAT = FloatMath()
ARRAY = ArrayMath()


# ---------------------------------------------------------------- the table
_r = register_primitive

ADD = _r("add", 2, lambda x, y, m: x + y, (1.0, 1.0), "+")
SUB = _r("sub", 2, lambda x, y, m: x - y, (1.0, -1.0), "-")
MUL = _r("mul", 2, lambda x, y, m: x * y, (lambda x, y, out, m: y, lambda x, y, out, m: x), "*")
DIV = _r("div", 2, lambda x, y, m: x / y,
         (lambda x, y, out, m: 1.0 / y, lambda x, y, out, m: -out / y), "/")
# ∂/∂x = y·x^(y−1) and ∂/∂y = x^y·log x, taken as 0 where y = 0 and where x = 0 (their limits,
# as PyTorch does): m.powd and m.xlogy are those products with the 0 cases made exact.
POW = _r("pow", 2, lambda x, y, m: m.pow(x, y),
         (lambda x, y, out, m: m.powd(x, y), lambda x, y, out, m: m.xlogy(out, x)), "**")
NEG = _r("neg", 1, lambda x, m: -x, (-1.0,), "-")
EXP = _r("exp", 1, lambda x, m: m.exp(x), (lambda x, out, m: out,))
LOG = _r("log", 1, lambda x, m: m.log(x), (lambda x, out, m: 1.0 / x,))
SQRT = _r("sqrt", 1, lambda x, m: m.sqrt(x), (lambda x, out, m: 0.5 / out,))
TANH = _r("tanh", 1, lambda x, m: m.tanh(x), (lambda x, out, m: 1.0 - out * out,))
SIGMOID = _r("sigmoid", 1, lambda x, m: m.sigmoid(x), (lambda x, out, m: out * (1.0 - out),), "σ")
RELU = _r("relu", 1, lambda x, m: m.relu(x), (lambda x, out, m: m.pos(x),))
# leaky_relu's slope is its second (constant) input.
LEAKY_RELU = _r("leaky_relu", 2, lambda x, s, m: x * (s + (1.0 - s) * m.pos(x)),
                (lambda x, s, out, m: s + (1.0 - s) * m.pos(x), lambda x, s, out, m: x - m.relu(x)))
ABS = _r("abs", 1, lambda x, m: m.abs(x), (lambda x, out, m: m.sign(x),))
SIN = _r("sin", 1, lambda x, m: m.sin(x), (lambda x, out, m: m.cos(x),))
COS = _r("cos", 1, lambda x, m: m.cos(x), (lambda x, out, m: -m.sin(x),))
SUM = _r("sum", -1, lambda xs, m: m.sum(xs), (1.0,), "Σ")
# max of two; on a tie the gradient goes to the first input.
MAX = _r("max", 2, lambda x, y, m: m.maximum(x, y),
         (lambda x, y, out, m: 1.0 - m.pos(y - x), lambda x, y, out, m: m.pos(y - x)))
del _r
