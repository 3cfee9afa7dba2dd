"""The compiled replay against its peers and the vectorized floor, measured in one run.

1. micrograd's demo step (MLP 2-16-16-1, ReLU, 100 moons points, hinge loss + 1e-4 L2,
   forward + backward): the compiled program's ``value_and_grad`` vs micrograd 0.1.0
   (target >= 1000x faster) and vs a hand-written numpy matrix forward + backward of the
   same network (target: within 8x). Gradients of all three are checked equal first.
2. The lectures' MNIST network (784-15-10 sigmoid, quadratic cost 1/2 Σ(a - y)², SGD,
   batch 128), one epoch over 60,000 seeded random 784-dimensional examples: compiled
   ``value_and_grad`` + parameter update vs a hand-written numpy epoch (target: within 25x).
   The time to trace and compile the ~12k-op network is reported too.
3. A 100x100 decision-boundary grid for the moons model: compiled ``forward`` vs building
   the eager graph point by point (target >= 200x).

Times are medians of CPU time (``time.process_time``): every workload is single-threaded, so
this is the wall time on an idle machine and stays meaningful on a shared one.
numpy's BLAS runs on one thread (``OPENBLAS_NUM_THREADS=1`` unless set): on a small shared
machine OpenBLAS threads that spin-wait made the hand-written numpy matmuls 40x slower
and their timings meaningless.

Run: ``python benchmarks/bench_compiled.py`` (``--quick`` for a shorter run). With
``--accuracy [MNIST_DIR]`` it instead trains the 784-15-10 net for one epoch through
``nn.fit(engine="compiled")`` and prints the test accuracy (MNIST's IDX files from MNIST_DIR,
or a synthetic stand-in made from the 8x8 digits when no folder is given).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import gc  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_engine import SIZES, moons, run_floor, run_micrograd, weights  # noqa: E402

from autograd_lite import Value, compile  # noqa: E402


def median_time(fn, repeats: int) -> float:
    """Median CPU seconds of this process over ``repeats`` back-to-back calls (all work here is
    single-threaded, so on an idle machine this is the wall time; on a shared one it leaves out
    the waiting)."""
    times = []
    gc.collect()
    for _ in range(repeats):
        t = time.process_time()
        fn()
        times.append(time.process_time() - t)
    return statistics.median(times)


# ------------------------------------------------------------------ models as Values
def value_layers(layers):
    return [([[Value(w) for w in row] for row in W], [Value(v) for v in b]) for W, b in layers]


def param_list(vlayers):
    """Parameters in bench_engine's flat order: per neuron, its weights then its bias."""
    return [p for W, b in vlayers for j, row in enumerate(W) for p in (*row, b[j])]


def mlp(vlayers, x, hidden: str, out: str | None = None):
    a = list(x)
    for k, (W, b) in enumerate(vlayers):
        z = [Value.sum([*(w * xi for w, xi in zip(row, a)), b[j]]) for j, row in enumerate(W)]
        last = k == len(vlayers) - 1
        act = out if last else hidden
        a = [getattr(v, act)() for v in z] if act else z
    return a


# ------------------------------------------------------------------ 1. micrograd's demo step
def demo_program(vlayers):
    params = param_list(vlayers)

    def loss(x, y):      # per example: hinge + the (batch-invariant) L2 term; the mean is the demo's loss
        score = mlp(vlayers, x, "relu")[0]
        return (1 - y[0] * score).relu() + 1e-4 * Value.sum([p * p for p in params])

    return compile(loss, 2, 1, params=params), params


def numpy_demo_step(Ws, bs, X, y):
    """Hand-written matrix forward + backward of the demo loss (the vectorized floor)."""
    n = len(X)
    z1 = X @ Ws[0].T + bs[0]
    a1 = np.maximum(z1, 0.0)
    z2 = a1 @ Ws[1].T + bs[1]
    a2 = np.maximum(z2, 0.0)
    s = (a2 @ Ws[2].T + bs[2])[:, 0]
    margin = 1.0 - y * s
    loss = np.maximum(margin, 0.0).mean() + 1e-4 * sum((W * W).sum() + (b * b).sum() for W, b in zip(Ws, bs))
    d3 = np.where(margin > 0, -y / n, 0.0)[:, None]
    d2 = (d3 @ Ws[2]) * (z2 > 0)
    d1 = (d2 @ Ws[1]) * (z1 > 0)
    grads = []
    for W, b, d, a in zip(Ws, bs, (d1, d2, d3), (X, a1, a2)):
        grads.append((d.T @ a + 2e-4 * W, d.sum(0) + 2e-4 * b))
    return loss, grads


def numpy_flat(grads):
    return np.concatenate([np.hstack([gW, gb[:, None]]).ravel() for gW, gb in grads])


def bench_demo(repeats: int) -> dict:
    X, y = moons()
    layers = weights()
    Xa, ya = np.array(X), np.array(y)
    Ws = [np.array(W) for W, _ in layers]
    bs = [np.array(b) for _, b in layers]
    vlayers = value_layers(layers)
    t = time.perf_counter()
    program, params = demo_program(vlayers)
    t_compile = time.perf_counter() - t
    values, grads = program.value_and_grad(Xa, ya[:, None])
    ref_loss, ref_grads = run_floor(X, y, layers)
    mg_loss, mg_grads = run_micrograd(X, y, layers)
    np_loss, np_grads = numpy_demo_step(Ws, bs, Xa, ya)
    for name, loss, g in (("compiled", values.mean(), grads), ("micrograd", mg_loss, mg_grads),
                          ("numpy", np_loss, numpy_flat(np_grads))):
        np.testing.assert_allclose(loss, ref_loss, rtol=1e-10, err_msg=name)
        np.testing.assert_allclose(g, ref_grads, rtol=1e-9, atol=1e-12, err_msg=name)
    t_comp = median_time(lambda: program.value_and_grad(Xa, ya[:, None]), repeats * 10)
    t_np = median_time(lambda: numpy_demo_step(Ws, bs, Xa, ya), repeats * 10)
    t_mg = median_time(lambda: run_micrograd(X, y, layers), max(3, repeats // 2) if repeats > 1 else 1)
    print(f"1. micrograd's demo step (MLP {'-'.join(map(str, SIZES))}, {len(X)} moons points, hinge + L2, "
          f"forward + backward); gradients of compiled, micrograd and numpy agree with the floor")
    print(f"   compile (trace + plan): {t_compile * 1e3:.1f} ms, {program.n_nodes} ops in "
          f"{program.n_groups} groups")
    print(f"   micrograd 0.1.0   {t_mg * 1e3:10.2f} ms")
    print(f"   compiled replay   {t_comp * 1e3:10.3f} ms")
    print(f"   numpy by hand     {t_np * 1e3:10.3f} ms")
    return {"micrograd": t_mg, "compiled": t_comp, "numpy": t_np, "compile": t_compile,
            "vs_micrograd": t_mg / t_comp, "vs_numpy": t_comp / t_np}


# ------------------------------------------------------------------ 2. MNIST 784-15-10, one epoch
MNIST_SIZES = (784, 15, 10)


def mnist_data(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(0.0, 1.0, (n, 784))
    labels = rng.integers(0, 10, n)
    return X, np.eye(10)[labels]


def mnist_weights(seed: int = 2):
    rng = np.random.default_rng(seed)
    return [(rng.normal(0, 1 / np.sqrt(nin), (nout, nin)), rng.normal(0, 1, nout))
            for nin, nout in zip(MNIST_SIZES[:-1], MNIST_SIZES[1:])]


def mnist_program(vlayers):
    params = param_list(vlayers)

    def loss(x, y):
        a = mlp(vlayers, x, "sigmoid", "sigmoid")
        return 0.5 * Value.sum([(ai - yi) ** 2 for ai, yi in zip(a, y)])

    return compile(loss, 784, 10, params=params), params


def numpy_mnist_grads(Ws, bs, X, Y):
    z1 = X @ Ws[0].T + bs[0]
    a1 = 1.0 / (1.0 + np.exp(-z1))
    z2 = a1 @ Ws[1].T + bs[1]
    a2 = 1.0 / (1.0 + np.exp(-z2))
    n = len(X)
    d2 = (a2 - Y) * a2 * (1 - a2) / n
    d1 = (d2 @ Ws[1]) * a1 * (1 - a1)
    return 0.5 * ((a2 - Y) ** 2).sum(1), [(d1.T @ X, d1.sum(0)), (d2.T @ a1, d2.sum(0))]


def numpy_mnist_epoch(Ws, bs, X, Y, batch: int, lr: float) -> None:
    for s in range(0, len(X), batch):
        _, grads = numpy_mnist_grads(Ws, bs, X[s:s + batch], Y[s:s + batch])
        for W, b, (gW, gb) in zip(Ws, bs, grads):
            W -= lr * gW
            b -= lr * gb


def compiled_mnist_epoch(program, params, X, Y, batch: int, lr: float) -> None:
    """SGD through the program: value_and_grad, then one set_params per step."""
    for s in range(0, len(X), batch):
        _, grads = program.value_and_grad(X[s:s + batch], Y[s:s + batch])
        program.set_params(program.get_params() - lr * np.asarray(grads))


def compiled_mnist_epoch_data_loop(program, params, X, Y, batch: int, lr: float) -> None:
    """The same, updating each parameter's .data in a Python loop (as an optimizer over Values does)."""
    for s in range(0, len(X), batch):
        _, grads = program.value_and_grad(X[s:s + batch], Y[s:s + batch])
        for p, g in zip(params, grads):
            p.data -= lr * g


def bench_mnist(n: int, repeats: int) -> dict:
    X, Y = mnist_data(n)
    layers = mnist_weights()
    vlayers = value_layers([(W.tolist(), b.tolist()) for W, b in layers])
    t = time.perf_counter()
    program, params = mnist_program(vlayers)
    t_compile = time.perf_counter() - t
    # gradients equal on one batch
    Ws, bs = [W.copy() for W, _ in layers], [b.copy() for _, b in layers]
    values, grads = program.value_and_grad(X[:128], Y[:128])
    ref_values, ref_grads = numpy_mnist_grads(Ws, bs, X[:128], Y[:128])
    np.testing.assert_allclose(values, ref_values, rtol=1e-10)
    np.testing.assert_allclose(grads, numpy_flat(ref_grads), rtol=1e-8, atol=1e-14)
    start = [p.data for p in params]

    def reset():
        for p, v in zip(params, start):
            p.data = v

    def run_compiled():
        reset()
        compiled_mnist_epoch(program, params, X, Y, 128, 3.0)

    def run_numpy():
        Wc, bc = [W.copy() for W, _ in layers], [b.copy() for _, b in layers]
        numpy_mnist_epoch(Wc, bc, X, Y, 128, 3.0)

    def run_compiled_loop():
        reset()
        compiled_mnist_epoch_data_loop(program, params, X, Y, 128, 3.0)

    t_comp = median_time(run_compiled, repeats)
    t_loop = median_time(run_compiled_loop, repeats)
    t_np = median_time(run_numpy, repeats)
    # both engines took the same steps: the weights agree at the end
    Wc, bc = [W.copy() for W, _ in layers], [b.copy() for _, b in layers]
    numpy_mnist_epoch(Wc, bc, X, Y, 128, 3.0)
    run_compiled()
    np.testing.assert_allclose(program.get_params(), numpy_flat([(W, b) for W, b in zip(Wc, bc)]),
                               rtol=1e-7, atol=1e-9)
    n_batches = -(-n // 128)
    t_vg = median_time(lambda: program.value_and_grad(X[:128], Y[:128]), 20)
    print(f"2. MNIST net {'-'.join(map(str, MNIST_SIZES))} sigmoid, quadratic cost, SGD batch 128, one epoch "
          f"of {n:,} synthetic examples ({n_batches} steps); gradients checked against numpy")
    print(f"   compile (trace + plan): {t_compile:.2f} s for {program.n_nodes:,} ops, "
          f"{len(params):,} params, {program.n_groups} groups")
    print(f"   compiled epoch    {t_comp:8.3f} s   (value_and_grad of one batch: {t_vg * 1e3:.2f} ms; "
          f"update by set_params)")
    print(f"   compiled epoch    {t_loop:8.3f} s   (update by p.data -= lr * g over the "
          f"{len(params):,} Values)")
    print(f"   numpy epoch       {t_np:8.3f} s   (final weights of both epochs agree)")
    return {"compiled": t_comp, "compiled_data_loop": t_loop, "numpy": t_np, "compile": t_compile,
            "value_and_grad": t_vg, "ratio": t_comp / t_np}


# ------------------------------------------------------------------ 3. decision-boundary grid
def bench_grid(side: int, repeats: int) -> dict:
    layers = weights()
    vlayers = value_layers(layers)
    xs = np.linspace(-1.5, 2.5, side)
    ys = np.linspace(-1.0, 1.5, side)
    grid = np.array([[a, b] for b in ys for a in xs])
    program = compile(lambda x: mlp(vlayers, x, "relu")[0], 2, params=param_list(vlayers))

    def eager():
        return [mlp(vlayers, [Value(a), Value(b)], "relu")[0].data for a, b in grid.tolist()]

    np.testing.assert_allclose(program.forward(grid), eager(), rtol=1e-12, atol=1e-12)
    t_comp = median_time(lambda: program.forward(grid), repeats * 5)
    t_eager = median_time(eager, max(1, repeats // 3))
    print(f"3. decision-boundary grid {side}x{side} for the moons model (forward only)")
    print(f"   eager graph per point {t_eager * 1e3:9.1f} ms")
    print(f"   compiled forward      {t_comp * 1e3:9.2f} ms")
    return {"eager": t_eager, "compiled": t_comp, "ratio": t_eager / t_comp}


# ------------------------------------------------------------------ one epoch of MNIST, accuracy
def digits_stand_in(n_train: int = 60_000, n_test: int = 10_000, seed: int = 0):
    """A synthetic MNIST stand-in from the real 8x8 UCI digits (no MNIST copy needed).

    Each 28x28 image is an 8x8 digit scaled 3x (24x24), placed at a random offset, with
    pixel noise; train images come from the first 1,300 digits, test images from the other 497.
    """
    import nn
    Xd, yd = nn.datasets.load_digits()
    rng = np.random.default_rng(seed)

    def make(idx, n):
        pick = rng.choice(idx, n)
        big = np.kron(Xd[pick].reshape(n, 8, 8) / 16.0, np.ones((3, 3)))
        out = np.zeros((n, 28, 28))
        dx, dy = rng.integers(0, 5, n), rng.integers(0, 5, n)
        for i in range(n):
            out[i, dy[i]:dy[i] + 24, dx[i]:dx[i] + 24] = big[i]
        out += rng.normal(0.0, 0.1, out.shape)
        return np.clip(out, 0.0, 1.0).reshape(n, 784), yd[pick]

    Xtr, ytr = make(np.arange(1300), n_train)
    Xte, yte = make(np.arange(1300, len(Xd)), n_test)
    return Xtr, ytr, Xte, yte


def mnist_one_epoch(path: str | None, batch_size: int = 10, lr: float = 3.0) -> float:
    """Train the lectures' 784-15-10 sigmoid net for one epoch through nn.fit(engine="compiled").

    Quadratic cost ½‖y − a‖², SGD with η = 3.0 and mini-batches of 10 (Nielsen's setting);
    reads MNIST's IDX files from ``path``, or uses :func:`digits_stand_in` when path is None.
    Returns the test accuracy.
    """
    import nn
    if path is None:
        Xtr, ytr, Xte, yte = digits_stand_in()
        source = "synthetic stand-in (28x28 images made from the 8x8 UCI digits; no MNIST copy)"
    else:
        Xtr, ytr = nn.datasets.load_mnist(path, "train")
        Xte, yte = nn.datasets.load_mnist(path, "test")
        source = f"MNIST from {path}"
    model = nn.MLP(784, [15, 10], activation="sigmoid", output_activation="sigmoid", seed=0)
    t = time.perf_counter()
    nn.fit(model, Xtr, ytr, loss="half_mse", optimizer=nn.SGD(model.parameters(), lr=lr), epochs=1,
           batch_size=batch_size, engine="compiled", progress=False)
    took = time.perf_counter() - t
    acc = float(np.mean(model.classify(Xte) == yte))
    print(f"MNIST net 784-15-10 sigmoid, half_mse, SGD lr={lr}, batch {batch_size}, one epoch on "
          f"{len(Xtr):,} examples of the {source}: test accuracy {acc:.4f} ({len(Xte):,} test images), "
          f"fit took {took:.1f} s")
    return acc


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer repeats and a 6,000-example epoch")
    ap.add_argument("--smoke", action="store_true", help="one repeat of tiny workloads (for the tests)")
    ap.add_argument("--accuracy", nargs="?", const="", metavar="MNIST_DIR",
                    help="instead: train 784-15-10 one epoch through nn.fit(engine='compiled') and report "
                         "the test accuracy, on MNIST's IDX files in MNIST_DIR or on a synthetic stand-in")
    args = ap.parse_args(argv)
    if args.accuracy is not None:
        return {"accuracy": mnist_one_epoch(args.accuracy or None)}
    repeats = 1 if args.smoke else (3 if args.quick else 7)
    demo = bench_demo(repeats)
    n_mnist = 640 if args.smoke else (6_000 if args.quick else 60_000)
    mnist = bench_mnist(n_mnist, 1 if args.quick or args.smoke else 3)
    side = 20 if args.smoke else 100
    grid = bench_grid(side, repeats)
    print("targets:")
    for what, ratio, cmp, goal in (
            ("compiled faster than micrograd (demo step)", demo["vs_micrograd"], ">=", 1000),
            ("compiled slower than numpy by hand (demo step)", demo["vs_numpy"], "<=", 8),
            ("compiled slower than numpy by hand (MNIST epoch)", mnist["ratio"], "<=", 25),
            (f"compiled faster than eager per point ({side}x{side} grid)", grid["ratio"], ">=", 200)):
        ok = ratio >= goal if cmp == ">=" else ratio <= goal
        print(f"   {ratio:8.1f}x {what} ({cmp} {goal}x): {'met' if ok else 'MISSED'}")
    return {"demo": demo, "mnist": mnist, "grid": grid}


if __name__ == "__main__":
    main()
