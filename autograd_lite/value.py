"""``Value``: a scalar that records the computation graph as you compute.

The hot path is Value creation: ``apply`` evaluates a primitive's forward on floats
and makes one node with ``__slots__`` and a tuple of parents (constants stay plain
floats in that tuple, so ``y * 1.5`` costs one node, not two). Nothing here holds a
closure or a reference back to a child, so a graph is freed by reference counting
as soon as its output goes.
"""

from __future__ import annotations

import math
import numbers
import operator
import os
import sys
import weakref
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Union

import numpy as np

from . import modes
from .primitives import (
    ABS,
    ADD,
    COS,
    DIV,
    EXP,
    FLOAT,
    LEAKY_RELU,
    LOG,
    MAX,
    MUL,
    NEG,
    POW,
    RELU,
    SIGMOID,
    SIN,
    SQRT,
    SUB,
    SUM,
    TANH,
    Primitive,
)

__all__ = ["Value", "apply", "Number", "EngineError"]

Number = Union[int, float]

_ACTIVE = modes.ACTIVE
_STATE = modes.STATE


class EngineError(ArithmeticError):
    """An op or a gradient that has no finite value (log of a negative number, overflow, ...)."""


def _fmt(x) -> str:
    if type(x) is Value:
        return f"Value({x._data!r}, label={x.label!r})" if x.label else f"Value({x._data!r})"
    return repr(x)


def _op_error(prim: Primitive, args: tuple, what: str, cause: BaseException | None = None) -> EngineError:
    operands = ", ".join(_fmt(a) for a in args)
    hint = _HINTS.get(prim.name, "")
    msg = f"{prim.name}({operands}): {what}"
    if cause is not None and str(cause):
        msg += f" ({cause})"
    if hint:
        msg += f"; {hint}"
    return EngineError(msg)


_HINTS = {
    "log": "log needs a positive argument",
    "sqrt": "sqrt needs a non-negative argument (and its derivative is infinite at 0)",
    "div": "the divisor must not be zero",
    "pow": "x ** y needs x > 0 for a fractional exponent and x != 0 for a negative one",
    "exp": "exp overflows above about 709.78",
}


def _const(x, where: str) -> float:
    """A plain number accepted as an operand, as a float, or raise TypeError."""
    if type(x) is float or (isinstance(x, numbers.Real) and not isinstance(x, bool)):
        try:
            f = float(x)
        except OverflowError:
            raise ValueError(f"{where}: operand {x!r:.60} is too large for a float") from None
        if f - f != 0.0:
            raise ValueError(f"{where}: operand {x!r} is not finite")
        return f
    raise TypeError(f"{where}: unsupported operand {x!r} of type {type(x).__name__}; "
                    f"use a Value, an int or a float")


class Value:
    """A scalar node of a computation graph.

    >>> w = Value(0.5, label="w"); x = Value(2.0, label="x")
    >>> y = (w * x).tanh()
    >>> y.backward()
    >>> round(w.grad, 6)
    0.839949

    Attributes: ``data`` (float), ``grad`` (float, 0.0 until a backward pass reaches
    it; a Value after ``backward(create_graph=True)``), ``label``, ``op`` (the op's
    name, "" for leaves), ``parents`` (inputs in argument order; plain numbers appear
    as floats) and ``scope`` (the nn module that made the node, or None).

    Equality and hashing are by identity (nodes go in sets and dicts); ``<``, ``<=``,
    ``>``, ``>=``, ``bool()`` and ``float()`` read ``data``.
    """

    # Inputs live in two slots, not a tuple: one object (and one garbage-collector
    # entry) less per node. Unary: _a; binary: _a, _b (Value or float); n-ary: _a is
    # the tuple of inputs. Leaves: _op is None.
    __slots__ = ("_data", "grad", "label", "_op", "_a", "_b", "_scope", "__weakref__")

    def __init__(self, data: Number, label: str = "") -> None:
        if isinstance(data, bool) or not isinstance(data, numbers.Real):
            raise TypeError(f"Value(data): expected an int or a float, got {data!r} "
                            f"of type {type(data).__name__}")
        try:
            f = float(data)
        except OverflowError:
            raise ValueError(f"Value(data): {data!r:.60} is too large for a float") from None
        if f - f != 0.0:
            raise ValueError(f"Value(data): {data!r} is not finite")
        if not isinstance(label, str):
            raise TypeError(f"Value(label): expected a str, got {label!r}")
        self._data = f
        self.grad = 0.0
        self.label = label
        self._op = None
        self._a = self._b = None
        self._scope = None
        if _ACTIVE[0]:
            _slow_path(self)

    # ------------------------------------------------------------ attributes
    @property
    def data(self) -> float:
        """The node's value (a float)."""
        return self._read("reading .data")

    @data.setter
    def data(self, value: Number) -> None:
        if self._op is not None:
            raise AttributeError(f"cannot assign .data of a computed node ({self._op.name}); "
                                 "only leaves (parameters, inputs) can be changed")
        self._data = _const(value, "Value.data")

    @property
    def op(self) -> str:
        """The name of the op that made this node, "" for a leaf."""
        return "" if self._op is None else self._op.name

    @property
    def primitive(self) -> Primitive | None:
        """The :class:`Primitive` that made this node, None for a leaf."""
        return self._op

    @property
    def parents(self) -> tuple:
        """The op's inputs in argument order: Values, and plain constants as floats."""
        prim = self._op
        if prim is None:
            return ()
        if prim.arity == 2:
            return (self._a, self._b)
        return (self._a,) if prim.arity == 1 else self._a

    @property
    def scope(self) -> str | None:
        """Dotted name of the nn module that made this node (see ``modes.scope``), or None."""
        return self._scope

    def is_leaf(self) -> bool:
        """True for a node no op made (an input, a parameter or a constant)."""
        return self._op is None

    def __repr__(self) -> str:
        lab = f", label={self.label!r}" if self.label else ""
        op = f", op={self._op.name!r}" if self._op is not None else ""
        return f"Value(data={self._data!r}, grad={self.grad!r}{lab}{op})"

    def __format__(self, spec: str) -> str:
        return format(self._data, spec) if spec else repr(self)

    # ------------------------------------------------------------ reading data
    def _read(self, what: str) -> float:
        if _ACTIVE[0]:
            tracer = _STATE.get().tracer
            if tracer is not None:
                tracer.on_read(self, what)
        return self._data

    def __float__(self) -> float:
        return self._read("float(value)")

    def __bool__(self) -> bool:
        return self._read("bool(value) (an if/while on a Value)") != 0.0

    def _cmp_data(self, other, what: str) -> tuple[float, float]:
        y = other._read(what) if type(other) is Value else _const(other, what)
        return self._read(what), y

    def __lt__(self, other) -> bool:
        a, b = self._cmp_data(other, "a comparison (<) on Values")
        return a < b

    def __le__(self, other) -> bool:
        a, b = self._cmp_data(other, "a comparison (<=) on Values")
        return a <= b

    def __gt__(self, other) -> bool:
        a, b = self._cmp_data(other, "a comparison (>) on Values")
        return a > b

    def __ge__(self, other) -> bool:
        a, b = self._cmp_data(other, "a comparison (>=) on Values")
        return a >= b

    # Operators and the unary functions are attached below by _binary_op/_unary_op,
    # from the primitive table; these declarations are for readers and type checkers.
    if TYPE_CHECKING:
        def __add__(self, other: Value | Number) -> Value: ...
        def __radd__(self, other: Value | Number) -> Value: ...
        def __sub__(self, other: Value | Number) -> Value: ...
        def __rsub__(self, other: Value | Number) -> Value: ...
        def __mul__(self, other: Value | Number) -> Value: ...
        def __rmul__(self, other: Value | Number) -> Value: ...
        def __truediv__(self, other: Value | Number) -> Value: ...
        def __rtruediv__(self, other: Value | Number) -> Value: ...
        def __pow__(self, other: Value | Number) -> Value: ...
        def __rpow__(self, other: Value | Number) -> Value: ...
        def __neg__(self) -> Value: ...
        def __abs__(self) -> Value: ...
        def exp(self) -> Value: ...
        def log(self) -> Value: ...
        def sqrt(self) -> Value: ...
        def tanh(self) -> Value: ...
        def sigmoid(self) -> Value: ...
        def relu(self) -> Value: ...
        def abs(self) -> Value: ...
        def sin(self) -> Value: ...
        def cos(self) -> Value: ...

    def __pos__(self):
        return self

    # ------------------------------------------------------------ functions
    def leaky_relu(self, slope: float | Value = 0.01) -> Value:
        """x for x > 0, slope·x otherwise. The slope is the op's second input: a number, or a
        Value that then gets a gradient too (a learnable slope, as in PReLU)."""
        return apply(LEAKY_RELU, self, slope)

    @staticmethod
    def sum(terms: Iterable) -> Value:
        """One n-ary sum node over ``terms`` (Values or numbers): the lecture's z = Σ wᵢaᵢ + b."""
        return _apply(SUM, tuple(terms))

    @staticmethod
    def max(terms: Iterable) -> Value:
        """The largest of ``terms`` as a chain of binary ``max`` nodes (ties go to the first)."""
        it = iter(terms)
        try:
            best = next(it)
        except StopIteration:
            raise ValueError("Value.max(terms): terms is empty") from None
        for t in it:
            best = apply(MAX, best, t)
        return best if type(best) is Value else Value(best)

    @staticmethod
    def get_data(values: Sequence[Value]) -> np.ndarray:
        """The ``.data`` of many Values as a float64 array (read fresh: no copy is kept)."""
        return np.fromiter(map(_DATA, values), dtype=np.float64, count=len(values))

    @staticmethod
    def set_data(values: Sequence[Value], data: Sequence[float] | np.ndarray) -> None:
        """Set the ``.data`` of many leaves at once (an optimizer's step on many parameters).

        ``data`` is a sequence or 1-D array of finite numbers aligned with ``values``.
        The whole update is checked first, so a bad one changes nothing.
        """
        arr = np.asarray(data, dtype=np.float64)
        if arr.shape != (len(values),):
            raise ValueError(f"Value.set_data(data): expected {len(values)} numbers, got shape {arr.shape}")
        bad = np.flatnonzero(~np.isfinite(arr))
        if len(bad):
            i = int(bad[0])
            raise ValueError(f"Value.set_data(data[{i}]): {arr[i]!r} is not finite (for {_fmt(values[i])})")
        if set(map(type, values)) - {Value} or list(map(_OP, values)).count(None) != len(values):
            i = next(i for i, v in enumerate(values) if type(v) is not Value or v._op is not None)
            raise TypeError(f"Value.set_data(values[{i}]): expected a leaf Value, got {values[i]!r}")
        for v, x in zip(values, arr.tolist()):
            v._data = x

    def detach(self) -> Value:
        """A new leaf with the same data (and label); no path leads back to this graph."""
        return Value(self._data, self.label)

    # ------------------------------------------------------------ gradients
    def backward(self, grad: Number | Value = 1.0, create_graph: bool = False) -> None:
        """Accumulate d(self)/d(leaf) * grad into every leaf's ``.grad``.

        Every node reached gets ``.grad``; intermediate nodes hold this pass's
        gradient (recomputed on each call), leaves add to what they had, as in
        PyTorch. With ``create_graph=True`` the leaves' gradients are Values that can
        be differentiated again (intermediate nodes keep plain numbers); reset them
        (``v.grad = 0.0``) when done, since a leaf and its gradient refer to each other.
        """
        from .autodiff import backward
        backward(self, grad, create_graph)


_new = object.__new__
_DATA = operator.attrgetter("_data")
_OP = operator.attrgetter("_op")


# Under detect_anomaly: where each node was made, for errors raised later in backward.
_ORIGIN: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _user_site() -> str:
    """``file:line`` of the innermost frame outside this package."""
    f = sys._getframe(1)
    while f is not None and os.path.dirname(os.path.abspath(f.f_code.co_filename)) == _PACKAGE_DIR:
        f = f.f_back
    return "?" if f is None else f"{f.f_code.co_filename}:{f.f_lineno}"


def origin(v: Value) -> str | None:
    """Where ``v`` was made (``file:line``), if it was made inside ``detect_anomaly``."""
    return _ORIGIN.get(v)


def _slow_path(v: Value) -> None:
    """Apply the active modes to a freshly made node (no_grad, scope, anomaly, tracing)."""
    state = _STATE.get()
    if not state.grad_enabled:
        v._op = None
        v._a = v._b = None
    v._scope = state.scope
    if state.anomaly and v._op is not None:
        _ORIGIN[v] = _user_site()
    if state.tracer is not None:
        state.tracer.on_create(v)


def _node(d: float, prim: Primitive, a, b=None) -> Value:
    v = _new(Value)
    v._data = d
    v.grad = 0.0
    v.label = ""
    v._op = prim
    v._a = a
    v._b = b
    v._scope = None
    return v


def apply(prim: Primitive, *args) -> Value:
    """Evaluate ``prim`` on ``args`` (Values or numbers) and record a node.

    The general entry point (new primitives, n-ary ops); the operators and methods of
    Value use the specialised functions below, which do the same for one or two inputs.
    """
    return _apply(prim, args)


def _apply(prim: Primitive, args: tuple) -> Value:
    try:
        xs = [a._data for a in args]
    except AttributeError:  # some inputs are plain numbers: store them as floats
        xs = [a._data if type(a) is Value else _const(a, prim.name) for a in args]
        args = tuple(a if type(a) is Value else x for a, x in zip(args, xs))
    if prim.arity == -1:
        if not xs:
            return Value(0.0)
        try:
            d = prim.forward(xs, FLOAT)
        except (ArithmeticError, ValueError) as e:
            raise _op_error(prim, args, "has no finite value", e) from None
    else:
        if len(xs) != prim.arity:
            raise TypeError(f"{prim.name} takes {prim.arity} input(s), got {len(xs)}")
        try:
            d = prim.forward(*xs, FLOAT)
        except (ArithmeticError, ValueError) as e:
            raise _op_error(prim, args, "has no finite value", e) from None
    if d - d != 0.0:
        raise _op_error(prim, args, f"result {d!r} is not finite (overflow, or a non-finite operand)")
    if prim.arity == 2:
        v = _node(d, prim, args[0], args[1])
    else:
        v = _node(d, prim, args[0] if prim.arity == 1 else args)
    if _ACTIVE[0]:
        _slow_path(v)
    return v


# The hot path: one specialised function per operator, made from the primitive table
# (the node-making code is inlined here because a call costs as much as the op).
def _binary_op(prim: Primitive, reflected: bool):
    fwd, name = prim.forward, prim.name

    def op(self, other):
        x = self._data
        if type(other) is Value:
            y = other._data
        elif type(other) is float:
            y = other
        else:
            if hasattr(other, "__array_ufunc__") and not isinstance(other, numbers.Real):
                return NotImplemented  # numpy arrays: let numpy apply the op elementwise
            y = other = _const(other, name)
        if reflected:
            x, y = y, x
            a, b = other, self
        else:
            a, b = self, other
        try:
            d = fwd(x, y, FLOAT)
        except (ArithmeticError, ValueError) as e:
            raise _op_error(prim, (a, b), "has no finite value", e) from None
        if d - d != 0.0:
            raise _op_error(prim, (a, b), f"result {d!r} is not finite (overflow, or a non-finite operand)")
        v = _new(Value)
        v._data = d
        v.grad = 0.0
        v.label = ""
        v._op = prim
        v._a = a
        v._b = b
        v._scope = None
        if _ACTIVE[0]:
            _slow_path(v)
        return v

    op.__name__ = f"__{'r' if reflected else ''}{name}__"
    op.__doc__ = f"The {name!r} primitive."
    return op


def _unary_op(prim: Primitive):
    fwd = prim.forward

    def op(self) -> Value:
        try:
            d = fwd(self._data, FLOAT)
        except (ArithmeticError, ValueError) as e:
            raise _op_error(prim, (self,), "has no finite value", e) from None
        if d - d != 0.0:
            raise _op_error(prim, (self,), f"result {d!r} is not finite (overflow, or a non-finite operand)")
        v = _node(d, prim, self)
        if _ACTIVE[0]:
            _slow_path(v)
        return v

    op.__name__ = prim.name
    op.__doc__ = f"The {prim.name!r} primitive."
    return op


for _dunder, _prim in (("add", ADD), ("sub", SUB), ("mul", MUL), ("truediv", DIV), ("pow", POW)):
    setattr(Value, f"__{_dunder}__", _binary_op(_prim, False))
    setattr(Value, f"__r{_dunder}__", _binary_op(_prim, True))
Value.__neg__ = _unary_op(NEG)
Value.__abs__ = _unary_op(ABS)
for _prim in (EXP, LOG, SQRT, TANH, SIGMOID, RELU, ABS, SIN, COS):
    setattr(Value, _prim.name, _unary_op(_prim))
del _dunder, _prim


class _ValueMath:
    """The elementary functions on Values (floats pass through as floats): ``create_graph``."""

    @staticmethod
    def exp(x):
        return x.exp() if type(x) is Value else math.exp(x)

    @staticmethod
    def log(x):
        return x.log() if type(x) is Value else math.log(x)

    @staticmethod
    def sqrt(x):
        return x.sqrt() if type(x) is Value else math.sqrt(x)

    @staticmethod
    def sin(x):
        return x.sin() if type(x) is Value else math.sin(x)

    @staticmethod
    def cos(x):
        return x.cos() if type(x) is Value else math.cos(x)

    @staticmethod
    def tanh(x):
        return x.tanh() if type(x) is Value else math.tanh(x)

    @staticmethod
    def sigmoid(x):
        return x.sigmoid() if type(x) is Value else FLOAT.sigmoid(x)

    @staticmethod
    def abs(x):
        return x.abs() if type(x) is Value else abs(x)

    @staticmethod
    def relu(x):
        return x.relu() if type(x) is Value else FLOAT.relu(x)

    @staticmethod
    def pow(x, y):
        if type(x) is Value or type(y) is Value:
            return x ** y
        return math.pow(x, y)

    @staticmethod
    def powd(x, y):
        if type(y) is not Value and y == 0.0:
            return 0.0
        return y * _ValueMath.pow(x, y - 1.0)

    @staticmethod
    def xlogy(a, x):
        if (x._data if type(x) is Value else x) == 0.0:
            return 0.0
        return a * _ValueMath.log(x)

    @staticmethod
    def maximum(x, y):
        return apply(MAX, x, y) if (type(x) is Value or type(y) is Value) else max(x, y)

    @staticmethod
    def sum(xs):
        return _apply(SUM, tuple(xs))

    # Piecewise-constant functions: their derivative is 0, so they return constants.
    @staticmethod
    def pos(x):
        return FLOAT.pos(x._data if type(x) is Value else x)

    @staticmethod
    def sign(x):
        return FLOAT.sign(x._data if type(x) is Value else x)


VALUE = _ValueMath()
