"""Shared cases for the engine tests: one entry per primitive use, and random expression graphs.

Not a test module (no ``test_`` prefix): ``test_primitives.py``, ``test_engine.py`` and
``test_engine_torch.py`` import it. Each :class:`Case` is a small function of Values that
exercises one primitive (with Value or constant operands), the inputs where it is smooth
(away from kinks and the edges of its domain), and the same function written for torch.

A random graph is a :class:`Program`: leaf values and a list of steps, each an op applied to
earlier nodes by index (so nodes are reused freely and the graph is a DAG, not a tree).
The same program runs on Values or on torch tensors.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from autograd_lite import Value


def _floats(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


def _away_from_zero(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Floats with lo <= |x| <= hi, either sign."""
    return st.tuples(_floats(lo, hi), st.booleans()).map(lambda t: -t[0] if t[1] else t[0])


ANY = _floats(-4.0, 4.0)
POSITIVE = _floats(0.05, 8.0)
NONZERO = _away_from_zero(0.2, 5.0)
OFF_KINK = _away_from_zero(0.01, 5.0)


def _apart(n: int, gap: float = 0.01) -> st.SearchStrategy[tuple]:
    """n floats whose pairwise distances are all at least gap (for max)."""
    return st.tuples(*[ANY] * n).filter(lambda t: all(abs(a - b) >= gap for i, a in enumerate(t)
                                                      for b in t[i + 1:]))


@dataclass(frozen=True)
class Case:
    """One use of a primitive: ``fn`` on Values, the inputs' strategy, points for torch, the torch twin."""

    name: str
    prim: str
    fn: Callable
    inputs: st.SearchStrategy[tuple]
    points: tuple[tuple[float, ...], ...]
    torch_fn: Callable | None = None

    def __repr__(self) -> str:
        return self.name


def _t():
    import torch
    return torch


def _case(name, prim, fn, inputs, points, torch_fn=None) -> Case:
    if not isinstance(inputs, st.SearchStrategy):
        inputs = st.tuples(*inputs)
    return Case(name, prim, fn, inputs, points, torch_fn)


P1 = ((-2.3,), (-0.7,), (0.45,), (1.9,), (3.1,))
PPOS = ((0.07,), (0.45,), (1.3,), (2.9,), (7.5,))
P2 = ((-2.3, 0.6), (0.45, -1.7), (1.9, 2.6), (-0.8, -3.1), (3.1, 0.35))
P2POS = ((0.3, 1.7), (1.9, -0.6), (2.6, 2.2), (0.75, -2.4), (3.8, 0.5))

CASES: list[Case] = [
    _case("add v+w", "add", lambda x, y: x + y, (ANY, ANY), P2),
    _case("add v+c", "add", lambda x: x + 1.5, (ANY,), P1),
    _case("add c+v", "add", lambda x: 1.5 + x, (ANY,), P1),
    _case("sub v-w", "sub", lambda x, y: x - y, (ANY, ANY), P2),
    _case("sub v-c", "sub", lambda x: x - 2.5, (ANY,), P1),
    _case("sub c-v", "sub", lambda x: 2.5 - x, (ANY,), P1),
    _case("mul v*w", "mul", lambda x, y: x * y, (ANY, ANY), P2),
    _case("mul v*v", "mul", lambda x: x * x, (ANY,), P1),
    _case("mul v*c", "mul", lambda x: x * 3.0, (ANY,), P1),
    _case("mul c*v", "mul", lambda x: -3.0 * x, (ANY,), P1),
    _case("div v/w", "div", lambda x, y: x / y, (ANY, NONZERO), P2),
    _case("div v/c", "div", lambda x: x / 3.0, (ANY,), P1),
    _case("div c/v", "div", lambda x: 3.0 / x, (NONZERO,), P1),
    _case("pow v**w", "pow", lambda x, y: x ** y, (POSITIVE, ANY), P2POS),
    _case("pow v**2", "pow", lambda x: x ** 2, (ANY,), P1),
    _case("pow v**3", "pow", lambda x: x ** 3, (ANY,), P1),
    _case("pow v**2.5", "pow", lambda x: x ** 2.5, (POSITIVE,), PPOS),
    _case("pow v**-2", "pow", lambda x: x ** -2, (NONZERO,), P1),
    _case("pow v**0.5", "pow", lambda x: x ** 0.5, (POSITIVE,), PPOS),
    _case("pow 2**v", "pow", lambda x: 2 ** x, (ANY,), P1),
    _case("pow 0.3**v", "pow", lambda x: 0.3 ** x, (ANY,), P1),
    _case("neg", "neg", lambda x: -x, (ANY,), P1),
    _case("exp", "exp", lambda x: x.exp(), (ANY,), P1),
    _case("log", "log", lambda x: x.log(), (POSITIVE,), PPOS),
    _case("sqrt", "sqrt", lambda x: x.sqrt(), (POSITIVE,), PPOS),
    _case("tanh", "tanh", lambda x: x.tanh(), (ANY,), P1),
    _case("sigmoid", "sigmoid", lambda x: x.sigmoid(), (_floats(-8.0, 8.0),), P1),
    _case("relu", "relu", lambda x: x.relu(), (OFF_KINK,), P1),
    _case("leaky_relu", "leaky_relu", lambda x: x.leaky_relu(), (OFF_KINK,), P1,
          lambda x: _t().nn.functional.leaky_relu(x, 0.01)),
    _case("leaky_relu(0.2)", "leaky_relu", lambda x: x.leaky_relu(0.2), (OFF_KINK,), P1,
          lambda x: _t().nn.functional.leaky_relu(x, 0.2)),
    _case("abs", "abs", lambda x: x.abs(), (OFF_KINK,), P1),
    _case("sin", "sin", lambda x: x.sin(), (_floats(-7.0, 7.0),), P1),
    _case("cos", "cos", lambda x: x.cos(), (_floats(-7.0, 7.0),), P1),
    _case("sum", "sum", lambda x, y, z: Value.sum([x, y, z, 1.5]), (ANY, ANY, ANY),
          ((0.3, -1.2, 2.2), (-2.0, 0.7, 1.1)), lambda x, y, z: _t().stack([x, y, z]).sum() + 1.5),
    _case("sum with reuse", "sum", lambda x, y: Value.sum([x, x * y, y, x]), (ANY, ANY), P2,
          lambda x, y: _t().stack([x, x * y, y, x]).sum()),
    _case("max v,w", "max", lambda x, y: Value.max([x, y]), _apart(2), P2,
          lambda x, y: _t().maximum(x, y)),
    _case("max v,c", "max", lambda x: Value.max([x, 0.5]), (ANY.filter(lambda x: abs(x - 0.5) >= 0.01),),
          P1, lambda x: _t().clamp(x, min=0.5)),
    _case("max of 3", "max", lambda x, y, z: Value.max([x, y, z]), _apart(3),
          ((0.3, -1.2, 2.2), (-2.0, 0.7, 0.1), (1.5, -0.5, 1.0)),
          lambda x, y, z: _t().maximum(_t().maximum(x, y), z)),
]


def case_ids(cases: list[Case]) -> list[str]:
    return [c.name for c in cases]


# --------------------------------------------------------------- random graphs
# Each op: arity (-1: 2 to 4 operands) and its body, written once with operators and
# methods that Values and torch tensors share; ``_T`` overrides where torch spells it differently.
OPS: dict[str, tuple[int, Callable]] = {
    "add": (2, lambda a, b: a + b),
    "sub": (2, lambda a, b: a - b),
    "mul": (2, lambda a, b: a * b),
    "div": (2, lambda a, b: a / (b * b + 0.5)),
    "pow": (2, lambda a, b: (a * a + 0.5) ** b.tanh()),
    "max": (2, None),
    "sum": (-1, None),
    "neg": (1, lambda a: -a),
    "square": (1, lambda a: a ** 2),
    "cube": (1, lambda a: a ** 3),
    "rpow": (1, lambda a: 1.5 ** a),
    "exp": (1, lambda a: a.exp()),
    "log": (1, lambda a: (a * a + 0.25).log()),
    "sqrt": (1, lambda a: (a * a + 0.25).sqrt()),
    "tanh": (1, lambda a: a.tanh()),
    "sigmoid": (1, lambda a: a.sigmoid()),
    "relu": (1, lambda a: a.relu()),
    "leaky_relu": (1, None),
    "abs": (1, lambda a: a.abs()),
    "sin": (1, lambda a: a.sin()),
    "cos": (1, lambda a: a.cos()),
}
KINKED = {"relu", "leaky_relu", "abs", "max"}


@dataclass(frozen=True)
class Program:
    """Leaf values and steps ``(op, operand indices)``; node k >= len(leaves) is step k - len(leaves)."""

    leaves: tuple[float, ...]
    steps: tuple[tuple[str, tuple[int, ...]], ...]


@st.composite
def programs(draw, max_leaves: int = 3, min_steps: int = 3, max_steps: int = 16) -> Program:
    n_leaves = draw(st.integers(1, max_leaves))
    leaves = tuple(draw(st.lists(_floats(-2.0, 2.0), min_size=n_leaves, max_size=n_leaves)))
    steps = []
    n = n_leaves
    for _ in range(draw(st.integers(min_steps, max_steps))):
        op = draw(st.sampled_from(sorted(OPS)))
        arity = OPS[op][0]
        k = draw(st.integers(2, 4)) if arity == -1 else arity
        # Favour recent nodes so graphs get deep, but any earlier node may be reused.
        args = tuple(draw(st.one_of(st.integers(max(0, n - 2), n - 1), st.integers(0, n - 1)))
                     for _ in range(k))
        steps.append((op, args))
        n += 1
    return Program(leaves, tuple(steps))


def run_values(prog: Program, xs) -> tuple[Value, float, float]:
    """Run ``prog`` on Values ``xs``. Returns the last node, the smallest distance of a kinked
    op's input to its kink (inf if there is none) and the largest magnitude of any node."""
    nodes = list(xs)
    margin = float("inf")
    for op, args in prog.steps:
        ops = [nodes[i] for i in args]
        if op == "max":
            a, b = ops
            if a is not b:
                margin = min(margin, abs(a.data - b.data))
            nodes.append(Value.max([a, b]))
        elif op == "sum":
            nodes.append(Value.sum(ops))
        elif op == "leaky_relu":
            margin = min(margin, abs(ops[0].data))
            nodes.append(ops[0].leaky_relu(0.1))
        else:
            if op in KINKED:
                margin = min(margin, abs(ops[0].data))
            nodes.append(OPS[op][1](*ops))
    return nodes[-1], margin, max(abs(v.data) for v in nodes)


def run_torch(prog: Program, xs):
    """Run ``prog`` on torch tensors ``xs`` (the twin of :func:`run_values`)."""
    torch = _t()
    nodes = list(xs)
    for op, args in prog.steps:
        ops = [nodes[i] for i in args]
        if op == "max":
            nodes.append(torch.maximum(*ops))
        elif op == "sum":
            nodes.append(torch.stack(ops).sum())
        elif op == "leaky_relu":
            nodes.append(torch.nn.functional.leaky_relu(ops[0], 0.1))
        else:
            nodes.append(OPS[op][1](*ops))
    return nodes[-1]


def usable(prog: Program, limit: float = 1e3, gap: float = 1e-3) -> bool:
    """True when ``prog`` evaluates without error, every node stays within ``limit`` and every
    kinked op's input is at least ``gap`` from its kink (so finite differences apply)."""
    from autograd_lite import EngineError
    try:
        _, margin, big = run_values(prog, [Value(x) for x in prog.leaves])
    except EngineError:
        return False
    return margin >= gap and big <= limit
