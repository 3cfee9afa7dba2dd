"""The compiled replay (autograd_lite.compile): equal to the eager engine, grouped, strict on bad input."""

from __future__ import annotations

import contextlib
import math
import re

import numpy as np
import pytest

import autograd_lite
import nn
from autograd_lite import EngineError, Value, compile, detect_anomaly, no_grad
from autograd_lite.compile import TraceError


# ------------------------------------------------------------------ helpers
def eager(fn, params, X, Y=None):
    """Per-example values and the SUM over examples of the eager gradients."""
    values, grads = [], np.zeros(len(params))
    for i in range(len(X)):
        xs = [Value(float(v)) for v in X[i]]
        args = (xs,) if Y is None else (xs, [Value(float(v)) for v in Y[i]])
        for p in params:
            p.grad = 0.0
        out = fn(*args)
        out.backward()
        values.append(out.data)
        grads += [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    return np.array(values), grads


def assert_close(got, want, rtol=1e-12):
    got, want = np.asarray(got, dtype=float), np.asarray(want, dtype=float)
    scale = max(1.0, float(np.max(np.abs(want)))) if want.size else 1.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * scale)


def random_dag(n_inputs: int, n_params: int, n_nodes: int, seed: int):
    """A seeded random expression DAG over inputs x, params and constants, with reuse.

    Uses every primitive; operands of log/sqrt/div/pow are made safe with other ops.
    Returns (fn, params): fn(x) builds the same graph at every call.
    """
    rng0 = np.random.default_rng(seed)
    params = [Value(float(v), label=f"p{i}") for i, v in enumerate(rng0.uniform(-1, 1, n_params))]

    def fn(x):
        rng = np.random.default_rng(seed + 1)
        pool = list(x) + list(params)

        def pick():
            # favour recent nodes (deep graphs) but reuse old ones too
            k = len(pool)
            if rng.random() < 0.7:
                return pool[max(0, k - int(rng.geometric(0.3)))]
            return pool[int(rng.integers(k))]

        def pos(v):          # a positive Value made from v
            return v.sigmoid() + 0.25

        ops = np.concatenate([rng.permutation(22) for _ in range(n_nodes // 22 + 1)])[:n_nodes]
        for op in ops.tolist():
            a, b = pick(), pick()
            c = float(rng.uniform(-2, 2))
            if op == 0:
                v = a + b
            elif op == 1:
                v = a - c if rng.random() < 0.5 else c - a
            elif op == 2:
                v = a * b
            elif op == 3:
                v = a * c
            elif op == 4:
                v = a / (b.abs() + 0.5)
            elif op == 5:
                v = c / pos(a)
            elif op == 6:
                v = pos(a) ** b.tanh()              # pow with a Value exponent
            elif op == 7:
                v = a ** 2 if rng.random() < 0.5 else a ** 3.0
            elif op == 8:
                v = -a
            elif op == 9:
                v = a.tanh().exp()
            elif op == 10:
                v = pos(a).log()
            elif op == 11:
                v = pos(a).sqrt()
            elif op == 12:
                v = a.tanh()
            elif op == 13:
                v = a.sigmoid()
            elif op == 14:
                v = a.relu()
            elif op == 15:
                v = a.leaky_relu(float(rng.uniform(0.01, 0.3)))
            elif op == 16:
                v = a.abs()
            elif op == 17:
                v = a.sin()
            elif op == 18:
                v = b.cos()
            elif op == 19:
                k = int(rng.integers(1, 6))
                v = Value.sum([pick() for _ in range(k)] + ([c] if rng.random() < 0.5 else []))
            elif op == 20:
                v = Value.max([a, b, pick()])
            else:
                v = 1.5 ** a.tanh()                 # constant base, Value exponent
            # keep magnitudes tame so nothing overflows
            pool.append(v.tanh() * 3.0 if rng.random() < 0.2 else v)
        made = pool[len(x) + len(params):]
        return Value.sum([v.tanh() for v in made]) * 0.5 + Value.sum(made[-3:])

    return fn, params


# ------------------------------------------------------------------ exactness
@pytest.mark.parametrize("seed", range(24))
def test_random_graphs_equal_the_eager_engine(seed):
    n_nodes = (20, 40, 80)[seed % 3]
    fn, params = random_dag(n_inputs=3, n_params=4 + seed % 5, n_nodes=n_nodes, seed=seed)
    X = np.random.default_rng(100 + seed).normal(size=(9, 3))
    program = compile(fn, n_inputs=3, params=params, reduction="sum")
    program.value_and_grad(X[::-1] * 0.5)      # a first call: nothing of it may leak into the next
    values, grads = program.value_and_grad(X)
    want_values, want_grads = eager(fn, params, X)
    assert_close(values, want_values)
    assert_close(grads, want_grads)
    assert_close(program.forward(X), want_values)


@pytest.mark.parametrize("seed", range(6))
def test_random_graphs_over_inputs_and_targets_equal_the_eager_engine(seed):
    inner, params = random_dag(n_inputs=4, n_params=5, n_nodes=50, seed=50 + seed)
    fn = lambda x, y: inner(x + y)                  # targets are placeholders like any input
    rng = np.random.default_rng(seed)
    X, Y = rng.normal(size=(11, 2)), rng.normal(size=(11, 2))
    program = compile(fn, 2, 2, params=params, reduction="sum")
    program.value_and_grad(Y, X)
    values, grads = program.value_and_grad(X, Y)
    want_values, want_grads = eager(fn, params, X, Y)
    assert_close(values, want_values)
    assert_close(grads, want_grads)


def test_reduction_mean_divides_by_the_batch():
    fn, params = random_dag(n_inputs=2, n_params=3, n_nodes=15, seed=7)
    X = np.random.default_rng(0).normal(size=(6, 2))
    _, g_sum = compile(fn, 2, params=params, reduction="sum").value_and_grad(X)
    _, g_mean = compile(fn, 2, params=params).value_and_grad(X)
    assert_close(np.array(g_mean) * 6, g_sum)


def mlp_params(sizes, seed):
    rng = np.random.default_rng(seed)
    return [([[Value(float(w)) for w in row] for row in rng.uniform(-1, 1, (nout, nin))],
             [Value(float(b)) for b in rng.uniform(-1, 1, nout)])
            for nin, nout in zip(sizes[:-1], sizes[1:])]


def mlp_forward(layers, x, act):
    a = list(x)
    for k, (W, b) in enumerate(layers):
        z = [Value.sum([*(w * xi for w, xi in zip(row, a)), b[j]]) for j, row in enumerate(W)]
        a = z if k == len(layers) - 1 else [getattr(v, act)() for v in z]
    return a


def flat_params(layers):
    return [p for W, b in layers for j, row in enumerate(W) for p in (*row, b[j])]


@pytest.mark.parametrize("act", ["relu", "tanh", "sigmoid"])
def test_mlp_hinge_with_l2_equals_eager(act):
    layers = mlp_params((2, 8, 8, 1), seed=3)
    params = flat_params(layers)

    def loss(x, y):
        score = mlp_forward(layers, x, act)[0]
        return (1 - y[0] * score).relu() + 1e-4 * Value.sum([p * p for p in params])

    rng = np.random.default_rng(5)
    X, Y = rng.normal(size=(20, 2)), rng.choice([-1.0, 1.0], size=(20, 1))
    program = compile(loss, 2, 1, params=params, reduction="sum")
    values, grads = program.value_and_grad(X, Y)
    want_values, want_grads = eager(loss, params, X, Y)
    assert_close(values, want_values)
    assert_close(grads, want_grads)


def test_softmax_cross_entropy_with_one_hot_targets_equals_eager():
    layers = mlp_params((4, 6, 3), seed=8)
    params = flat_params(layers)

    def loss(x, y):
        logits = mlp_forward(layers, x, "tanh")
        m = Value.max(logits)
        lse = Value.sum([(z - m).exp() for z in logits]).log() + m
        return -Value.sum([t * (z - lse) for t, z in zip(y, logits)])

    rng = np.random.default_rng(2)
    X = rng.normal(size=(15, 4))
    Y = np.eye(3)[rng.integers(3, size=15)]
    values, grads = compile(loss, 4, 3, params=params, reduction="sum").value_and_grad(X, Y)
    want_values, want_grads = eager(loss, params, X, Y)
    assert_close(values, want_values)
    assert_close(grads, want_grads)


def test_finite_differences_agree_with_the_replayed_gradient():
    layers = mlp_params((3, 4, 1), seed=4)
    params = flat_params(layers)
    fn = lambda x: mlp_forward(layers, x, "tanh")[0] ** 2
    X = np.random.default_rng(1).normal(size=(5, 3))
    program = compile(fn, 3, params=params)
    _, grads = program.value_and_grad(X)
    h = 1e-6
    for j in (0, 5, len(params) - 1):
        p = params[j]
        old = p.data
        p.data = old + h
        up = program.forward(X).mean()
        p.data = old - h
        down = program.forward(X).mean()
        p.data = old
        assert math.isclose(grads[j], (up - down) / (2 * h), rel_tol=1e-6, abs_tol=1e-9)


def test_parameters_are_read_at_every_call():
    w = Value(2.0)
    program = compile(lambda x: w * x[0], 1, params=[w])
    assert program.forward([[3.0]]).tolist() == [6.0]
    w.data = -1.0                                   # what an optimizer step does
    assert program.forward([[3.0]]).tolist() == [-3.0]
    values, grads = program.value_and_grad([[3.0], [5.0]])
    assert values.tolist() == [-3.0, -5.0] and grads == [4.0]


def test_default_params_are_the_leaves_made_before_the_call_in_graph_order():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")

    def fn(x):
        c = Value(10.0)                              # made inside: a constant
        return b * x[0] + a * c

    program = compile(fn, 1)
    assert {id(p) for p in program.params} == {id(a), id(b)} and len(program.params) == 2
    values, grads = program.value_and_grad([[1.0], [3.0]])
    assert values.tolist() == [12.0, 16.0]
    assert dict(zip(map(id, program.params), grads)) == {id(a): 10.0, id(b): 2.0}


def test_list_outputs_forward_shape_and_value_and_grad_of_the_first_output():
    w = Value(0.5)
    program = compile(lambda x: [w * x[0], (w * x[1]).exp(), x[0] + x[1]], 2)
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    out = program.forward(X)
    assert out.shape == (2, 3)
    assert_close(out, [[0.5, math.exp(1.0), 3.0], [1.5, math.exp(-0.5), 2.0]])
    values, grads = program.value_and_grad(X)      # d/dw of output 0 (w·x₀), batch mean: (1 + 3)/2
    assert_close(values, out)
    assert grads == [2.0]


def test_outputs_that_do_not_depend_on_the_inputs_broadcast_over_the_batch():
    w = Value(3.0)
    program = compile(lambda x: w * w, 1, params=[w])
    values, grads = program.value_and_grad(np.zeros((4, 1)))
    assert values.tolist() == [9.0] * 4 and grads == [6.0]
    program = compile(lambda x: x[0], 1, params=[w])      # a placeholder as output
    assert program.forward([[1.0], [2.0]]).tolist() == [1.0, 2.0]


def test_big_batches_run_in_chunks_with_the_same_results(monkeypatch):
    import sys
    mod = sys.modules["autograd_lite.compile"]
    fn, params = random_dag(n_inputs=2, n_params=3, n_nodes=30, seed=11)
    X = np.random.default_rng(3).normal(size=(50, 2))
    whole = compile(fn, 2, params=params, reduction="sum").value_and_grad(X)
    monkeypatch.setattr(mod, "_CHUNK_ELEMENTS", 1)
    monkeypatch.setattr(mod, "_MIN_CHUNK", 7)
    program = compile(fn, 2, params=params, reduction="sum")
    assert program._chunk == 7
    chunked = program.value_and_grad(X)
    assert_close(chunked[0], whole[0])
    assert_close(chunked[1], whole[1])
    assert_close(program.forward(X), whole[0])


def test_zero_gradient_skips_an_infinite_local_derivative_like_the_eager_pass():
    # sqrt(0) has an infinite derivative; relu(-1) = 0 sends it a zero gradient
    def fn(x):
        return (x[0] - 5.0).relu() * (x[1] * x[1]).sqrt()

    X = np.array([[1.0, 0.0], [6.0, 2.0]])
    w = Value(1.0)
    program = compile(lambda x: fn(x) * w, 2, params=[w], reduction="sum")
    values, grads = program.value_and_grad(X)
    want_values, want_grads = eager(lambda x: fn(x) * w, [w], X)
    assert_close(values, want_values)
    assert_close(grads, want_grads)
    # with a non-zero gradient it is an error, as in the eager engine
    program = compile(lambda x: x[0] * (x[1] * w).sqrt(), 2, params=[w])
    with pytest.raises(EngineError, match="sqrt"):
        program.value_and_grad(np.array([[1.0, 2.0], [1.0, 0.0]]))


# ------------------------------------------------------------------ grouping
def test_the_784_15_10_net_runs_first_layer_products_in_one_group_and_sums_as_one_reduction():
    layers = mlp_params((784, 15, 10), seed=0)
    params = flat_params(layers)

    def loss(x, y):
        a = [v.sigmoid() for v in mlp_forward(layers, x, "sigmoid")]
        return Value.sum([(ai - yi) ** 2 for ai, yi in zip(a, y)]) * 0.5

    program = compile(loss, 784, 10, params=params)
    groups = program._plan.groups
    muls = sorted(g.stop - g.start for g in groups if g.prim.name == "mul")
    assert muls[-1] == 784 * 15                       # all first-layer products: one multiply
    sums = [g for g in groups if g.prim.name == "sum"]
    # each first-layer sum: 784 products (one strided view, no copy) then the bias
    first = [[a.shape for a in g.operands] for g in sums if g.operands[0].shape[0] == 784]
    assert first == [[(784, 15), (1, 15)]]
    assert [g.operands[0].view is not None for g in sums] == [True] * len(sums)
    assert program.n_groups < 20
    listing = program.describe()
    assert re.search(r"mul\s+x\s+11760 \(15x784\) <- params \(view\), x \(view\)", listing), listing
    assert len(listing.splitlines()) == program.n_groups + 1
    # and it computes the eager result
    rng = np.random.default_rng(0)
    X, Y = rng.uniform(0, 1, (3, 784)), np.eye(10)[[1, 4, 7]]
    values, grads = compile(loss, 784, 10, params=params, reduction="sum").value_and_grad(X, Y)
    want_values, want_grads = eager(loss, params, X, Y)
    assert_close(values, want_values)
    assert_close(grads, want_grads)


# ------------------------------------------------------------------ tracing errors
@pytest.mark.parametrize("body, what", [
    (lambda x: x[0] if x[0] > 0 else -x[0], "comparison"),
    (lambda x: x[0] * float(x[1]), "float"),
    (lambda x: x[0] * x[1].data, ".data"),
    (lambda x: x[0] if x[0] * 2 else x[1], "bool"),
    (lambda x: x[0] if (x[0] + x[1]) >= 1.0 else x[1], "comparison"),
])
def test_control_flow_on_traced_values_raises_trace_error(body, what):
    with pytest.raises(TraceError, match=what) as info:
        compile(body, 2)
    assert "relu" in str(info.value)                  # says what to use instead
    assert isinstance(info.value, RuntimeError)
    assert autograd_lite.compile.TraceError is TraceError


def test_reading_parameters_is_allowed_while_tracing():
    w = Value(2.0)
    scale = float(w) * w.data                         # fine: w does not depend on x
    program = compile(lambda x: w * x[0] * (4.0 if w > 1 else 1.0) + scale, 1, params=[w])
    assert program.forward([[1.0]]).tolist() == [12.0]


def test_trace_error_even_if_the_function_swallows_it():
    def fn(x):
        try:
            if x[0] > 0:
                return x[0]
        except Exception:
            pass
        return x[1]

    with pytest.raises(TraceError):
        compile(fn, 2)


@pytest.mark.parametrize("body", [
    lambda x: x[0] * x[1].detach(),
    lambda x: x[0] * Value(x[1]._data),
    lambda x: x[0] + Value(float(np.random.default_rng().normal())),
])
def test_values_escaping_the_graph_are_detected_by_tracing_twice(body):
    with pytest.raises(TraceError, match="different graph"):
        compile(body, 2)


def test_no_grad_inside_the_traced_function_is_detected():
    def fn(x):
        with no_grad():
            c = x[1] * 2.0
        return x[0] * c

    with pytest.raises(TraceError, match="different graph"):
        compile(fn, 2)


# ------------------------------------------------------------------ bad input
def test_bad_batches_raise_clear_errors_naming_the_slot_and_shape():
    w = Value(1.0)
    program = compile(lambda x, y: (w * x[0] + x[1] - y[0]) ** 2, 2, 1, params=[w])
    X, Y = np.ones((4, 2)), np.ones((4, 1))
    with pytest.raises(ValueError, match=r"X: expected shape \(batch, 2\).*got shape \(4, 3\)"):
        program.forward(np.ones((4, 3)), Y)
    with pytest.raises(ValueError, match=r"X\[None, :\]"):
        program.forward(np.ones(2), Y)
    with pytest.raises(TypeError, match="X: expected a numeric array.*dtype <U"):
        program.forward([["a", "b"]], Y)
    with pytest.raises(ValueError, match=r"forward\(Y\): missing.*y\[0..0\].*\(batch, 1\)"):
        program.forward(X)
    with pytest.raises(ValueError, match="Y: has 3 rows but X has 4"):
        program.value_and_grad(X, np.ones((3, 1)))
    with pytest.raises(ValueError, match="empty"):
        program.value_and_grad(np.ones((0, 2)), np.ones((0, 1)))
    assert program.forward(X, np.ones(4)).shape == (4,)          # 1-D Y is fine for one target
    no_targets = compile(lambda x: x[0] * w, 1, params=[w])
    with pytest.raises(ValueError, match="no targets"):
        no_targets.forward([[1.0]], [[1.0]])


def test_bad_compile_arguments():
    with pytest.raises(ValueError, match="n_inputs"):
        compile(lambda x: x[0], 0)
    with pytest.raises(ValueError, match="reduction"):
        compile(lambda x: x[0], 1, reduction="max")
    with pytest.raises(TypeError, match=r"params\[1\]"):
        compile(lambda x: x[0], 1, params=[Value(1.0), 2.0])
    with pytest.raises(ValueError, match=r"params\[0\].*leaves"):
        compile(lambda x: x[0], 1, params=[Value(1.0) * 2])
    with pytest.raises(TypeError, match="output"):
        compile(lambda x: [x[0], 3.0], 1)


def test_nan_or_inf_inputs_raise_naming_the_slot_and_example():
    w = Value(1.0)
    program = compile(lambda x, y: (w * x[0] + x[1] - y[0]) ** 2, 2, n_targets=1, params=[w])
    X = np.array([[1.0, 2.0], [3.0, np.nan]])
    for ctx in (detect_anomaly, contextlib.nullcontext):
        with ctx(), pytest.raises(ValueError, match=r"X\[1, 1\] \(slot x\[1\] of example 1\) is nan"):
            program.forward(X, [[0.0], [0.0]])
    with pytest.raises(ValueError, match=r"Y\[0, 0\] \(slot y\[0\] of example 0\) is inf"):
        program.value_and_grad([[1.0, 2.0]], [[np.inf]])
    assert program.forward([[1.0, 2.0]], [[0.0]]).tolist() == [9.0]


def test_ops_without_a_finite_value_raise_engine_error_naming_op_and_example():
    program = compile(lambda x: x[0].log(), 1)
    with pytest.raises(EngineError, match=r"log\(-2.0\) for example 1"):
        program.forward([[1.0], [-2.0]])
    program = compile(lambda x: x[0].exp(), 1)
    with pytest.raises(EngineError, match="exp"):
        program.forward([[1.0], [1000.0]])


# ------------------------------------------------------------------ nn models and losses
NN_CASES = [   # (loss, hidden activation, output activation, n_out, targets)
    ("mse", "tanh", "linear", 2, "real"),
    ("half_mse", "sigmoid", "sigmoid", 3, "real"),
    ("bce", "relu", "sigmoid", 2, "binary"),
    ("bce_with_logits", "leaky_relu", "linear", 1, "binary"),
    ("cross_entropy", "tanh", "linear", 3, "one_hot"),
    ("cross_entropy", "relu", "softmax", 3, "one_hot"),
    ("hinge", "relu", "linear", 1, "sign"),
]


@pytest.mark.parametrize("loss_name, act, out_act, n_out, kind", NN_CASES)
def test_nn_mlp_with_every_loss_equals_eager(loss_name, act, out_act, n_out, kind):
    model = nn.MLP(3, [5, 4, n_out], activation=act, output_activation=out_act, seed=1)
    loss = nn.losses.get(loss_name)
    if loss_name == "cross_entropy" and out_act == "softmax":   # softmax outputs: take logs as logits
        base = loss
        loss = lambda a, t: base([v.log() for v in a], t)
    rng = np.random.default_rng(4)
    X = rng.normal(size=(12, 3))
    Y = {"real": rng.normal(size=(12, n_out)) * 0.5,
         "binary": rng.integers(0, 2, (12, n_out)).astype(float),
         "one_hot": np.eye(n_out)[rng.integers(0, n_out, 12)],
         "sign": rng.choice([-1.0, 1.0], (12, n_out))}[kind]
    params = model.parameters()
    fn = lambda x, t: loss(model(x), t)
    program = compile(fn, 3, n_out, params=params, reduction="sum")
    values, grads = program.value_and_grad(X, Y)
    want_values, want_grads = eager(fn, params, X, Y)
    assert_close(values, want_values)
    assert_close(grads, want_grads)
    # model.predict goes through the compiled forward and gives the eager outputs
    want_out = [[v.data for v in model(list(x))] for x in X]
    assert_close(model.predict(X), want_out)


def test_nn_l2_penalty_inside_the_traced_loss_equals_eager():
    model = nn.MLP(2, [4, 1], activation="tanh", seed=3)
    weights = [p for name, p in model.named_parameters() if ".w." in name]
    fn = lambda x, t: nn.losses.mse(model(x), t) + nn.l2(weights, 0.1, 50)
    X, Y = np.random.default_rng(0).normal(size=(8, 2)), np.random.default_rng(1).normal(size=(8, 1))
    params = model.parameters()
    values, grads = compile(fn, 2, 1, params=params, reduction="sum").value_and_grad(X, Y)
    want_values, want_grads = eager(fn, params, X, Y)
    assert_close(values, want_values)
    assert_close(grads, want_grads)


# ------------------------------------------------------------------ the benchmark script
def test_bench_compiled_smoke_run_checks_gradients_and_prints_ratios():
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    r = subprocess.run([sys.executable, str(root / "benchmarks" / "bench_compiled.py"), "--smoke"],
                       capture_output=True, text=True, timeout=300, cwd=root)
    assert r.returncode == 0, f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    assert "gradients of compiled, micrograd and numpy agree with the floor" in r.stdout
    assert "gradients checked against numpy" in r.stdout
    assert r.stdout.count("x compiled") == 4, r.stdout         # the four target lines with ratios


# ------------------------------------------------------------------ registered primitives
def _sumsq_primitive():
    from autograd_lite import PRIMITIVES, register_primitive
    if "test_compile_sumsq" in PRIMITIVES:
        return PRIMITIVES["test_compile_sumsq"]
    # an n-ary op that is not a plain sum: the replay must stack its inputs, not split them
    return register_primitive("test_compile_sumsq", -1, lambda xs, m: m.sum([x * x for x in xs]),
                              (lambda x, out, m: 2.0 * x,))


def test_a_registered_nary_primitive_is_replayed_from_its_rule():
    from autograd_lite import apply
    sumsq = _sumsq_primitive()
    w = Value(0.5)

    def fn(x):
        return apply(sumsq, x[0], w * x[1], 1.5, x[0].tanh()) * w

    X = np.random.default_rng(0).normal(size=(7, 2))
    values, grads = compile(fn, 2, params=[w], reduction="sum").value_and_grad(X)
    want_values, want_grads = eager(fn, [w], X)
    assert_close(values, want_values)
    assert_close(grads, want_grads)


def test_compile_inside_no_grad_still_records_the_graph():
    w = Value(2.0)
    with no_grad():
        program = compile(lambda x: w * x[0], 1, params=[w])
    assert program.forward([[3.0]]).tolist() == [6.0]
    assert program.value_and_grad([[3.0]])[1] == [3.0]


def test_errors_raised_while_tracing_say_so():
    with pytest.raises(ZeroDivisionError) as info:
        compile(lambda x: x[0] * (1 / 0), 1)
    notes = "".join(getattr(info.value, "__notes__", []))
    assert "placeholder" in notes or not hasattr(info.value, "add_note")


@pytest.mark.needs_torch
def test_mnist_net_batch_gradients_equal_torch_float64():
    import torch
    rng = np.random.default_rng(7)
    W1, b1 = rng.normal(0, 0.05, (15, 784)), rng.normal(0, 1, 15)
    W2, b2 = rng.normal(0, 0.3, (10, 15)), rng.normal(0, 1, 10)
    layers = [([[Value(float(w)) for w in row] for row in W], [Value(float(v)) for v in b])
              for W, b in ((W1, b1), (W2, b2))]
    params = flat_params(layers)

    def loss(x, y):
        a = [v.sigmoid() for v in mlp_forward(layers, x, "sigmoid")]
        return 0.5 * Value.sum([(ai - yi) ** 2 for ai, yi in zip(a, y)])

    X, Y = rng.uniform(0, 1, (32, 784)), np.eye(10)[rng.integers(0, 10, 32)]
    values, grads = compile(loss, 784, 10, params=params).value_and_grad(X, Y)
    t = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in (W1, b1, W2, b2)]
    a1 = torch.sigmoid(torch.tensor(X) @ t[0].T + t[1])
    a2 = torch.sigmoid(a1 @ t[2].T + t[3])
    per_example = 0.5 * ((a2 - torch.tensor(Y)) ** 2).sum(1)
    per_example.mean().backward()
    want = np.concatenate([np.hstack([t[0].grad.numpy(), t[1].grad.numpy()[:, None]]).ravel(),
                           np.hstack([t[2].grad.numpy(), t[3].grad.numpy()[:, None]]).ravel()])
    assert_close(values, per_example.detach().numpy(), rtol=1e-12)
    assert_close(grads, want, rtol=1e-12)


def test_micrograd_style_sums_with_plus_fold_into_one_step_per_layer():
    # micrograd writes a neuron as sum((wi * xi for ...), b): a chain of binary adds
    layers = mlp_params((3, 6, 6, 1), seed=9)
    params = flat_params(layers)

    def score(x):
        a = list(x)
        for k, (W, b) in enumerate(layers):
            z = [sum((w * xi for w, xi in zip(row, a)), b[j]) for j, row in enumerate(W)]
            a = z if k == len(layers) - 1 else [v.tanh() for v in z]
        return a[0] * a[0]

    program = compile(score, 3, params=params, reduction="sum")
    assert program.n_groups <= 9                       # mul, sum, tanh per layer: not one step per term
    X = np.random.default_rng(3).normal(size=(10, 3))
    program.value_and_grad(X[::-1])
    values, grads = program.value_and_grad(X)
    want_values, want_grads = eager(score, params, X)
    assert_close(values, want_values)
    assert_close(grads, want_grads)
    # an intermediate partial sum that is also an output is kept
    w = Value(2.0)

    def chain(x):
        s2 = (x[0] + w) + x[1]
        return [s2, s2 + 1.0]

    both = compile(chain, 2, params=[w], reduction="sum")
    assert both.forward([[1.0, 2.0]]).tolist() == [[5.0, 6.0]]
    assert [g.prim.name for g in both._plan.groups] == ["sum", "add"]     # x0 + w folded, s2 kept


def test_default_params_are_the_leaves_in_the_order_the_function_uses_them():
    w, b, c = Value(0.5, label="w"), Value(-1.0, label="b"), Value(2.0, label="c")
    program = compile(lambda x: (w * x[0] + b) * c + w, 1)
    assert [p.label for p in program.params] == ["w", "b", "c"]
    _, grads = program.value_and_grad([[3.0]])
    assert grads == pytest.approx([3.0 * 2.0 + 1.0, 2.0, 3.0 * 0.5 - 1.0], rel=1e-15)
