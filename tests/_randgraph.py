"""Random computation graphs for the draw/explain/steps tests: shared nodes, constants, every op kind."""

from __future__ import annotations

import numpy as np

from autograd_lite import Value

# (name, arity, build); arguments stay in domains where every op and derivative is finite.
_UNARY = [
    ("tanh", lambda a: a.tanh()),
    ("sigmoid", lambda a: a.sigmoid()),
    ("sin", lambda a: a.sin()),
    ("cos", lambda a: a.cos()),
    ("relu", lambda a: a.relu()),
    ("leaky_relu", lambda a: a.leaky_relu(0.1)),
    ("abs", lambda a: a.abs()),
    ("neg", lambda a: -a),
    ("exp", lambda a: a.tanh().exp()),
    ("log", lambda a: (a * a + 1.0).log()),
    ("sqrt", lambda a: (a * a + 0.5).sqrt()),
    ("square", lambda a: a ** 2),
]
_BINARY = [
    ("add", lambda a, b: a + b),
    ("sub", lambda a, b: a - b),
    ("mul", lambda a, b: a * b),
    ("div", lambda a, b: a / (b * b + 1.0)),
    ("max", lambda a, b: Value.max([a, b])),
    ("rconst", lambda a, b: 1.5 - a * 0.5),
]


def random_graph(seed: int, n_leaves: int = 4, n_ops: int = 12) -> tuple[Value, list[Value], list[Value]]:
    """``(root, leaves, all made nodes)``: a random DAG in which nodes are reused."""
    rng = np.random.default_rng(seed)
    leaves = [Value(float(rng.uniform(-1.5, 1.5)), label=f"x{i}") for i in range(n_leaves)]
    pool = list(leaves)
    for _ in range(n_ops):
        kind = rng.integers(3)
        # favour recent nodes so the graph gets deep, but reuse old ones too
        pick = lambda: pool[int(min(len(pool) - 1, abs(rng.normal(len(pool) - 1, len(pool) / 2))))]
        if kind == 0:
            _, f = _UNARY[rng.integers(len(_UNARY))]
            pool.append(f(pick()))
        elif kind == 1:
            _, f = _BINARY[rng.integers(len(_BINARY))]
            a = pick()
            b = a if rng.random() < 0.15 else pick()   # sometimes the same node twice (x * x)
            pool.append(f(a, b))
        else:
            k = int(rng.integers(2, 5))
            terms = [pick() for _ in range(k)]
            if rng.random() < 0.5:
                terms.append(float(rng.uniform(-1, 1)))
            pool.append(Value.sum(terms))
    root = Value.sum(pool[-3:]) if len(pool) > 3 else pool[-1]
    return root, leaves, pool
