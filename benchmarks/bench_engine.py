"""Engine speed and memory against its peers, measured in one run.

Workload: micrograd's demo step. An MLP 2-16-16-1 (ReLU hidden, linear output,
fixed seeded weights) on 100 two-moons points, loss = mean(relu(1 - y*score)) +
1e-4 * sum(p**2), one forward and one backward. Built with

* autograd_lite (Value ops, n-ary sums);
* micrograd 0.1.0 from PyPI, the way its demo notebook builds it;
* PyTorch op by op on 0-d float64 tensors;
* hand-written pure-Python floats (forward plus hand-derived backward): the floor.

All gradients are checked equal before anything is timed. Each implementation is
then timed in a fresh interpreter of its own (as a user's program would run it, so
one library's imports do not load the garbage collector of another), garbage
collector on. Peers that are not installed are reported missing.
Memory: tracemalloc bytes per op on a chain of 1,000,000 ops ``y = y * 1.0000001``.

Run: ``python benchmarks/bench_engine.py`` (``--quick`` for a smoke run).
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from autograd_lite import Value  # noqa: E402

SIZES = (2, 16, 16, 1)


def moons(n: int = 100, noise: float = 0.1, seed: int = 0):
    """Two interleaving half circles, labels -1/+1 (as micrograd's demo uses)."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0, np.pi, n_out)
    t_in = np.linspace(0, np.pi, n_in)
    X = np.vstack([np.c_[np.cos(t_out), np.sin(t_out)], np.c_[1 - np.cos(t_in), 1 - np.sin(t_in) - 0.5]])
    X += rng.normal(scale=noise, size=X.shape)
    y = np.r_[-np.ones(n_out), np.ones(n_in)]
    return X.tolist(), y.tolist()


def weights(seed: int = 1):
    """[(W, b)] per layer as nested float lists, W[j][i] from input i to neuron j."""
    rng = np.random.default_rng(seed)
    layers = []
    for nin, nout in zip(SIZES[:-1], SIZES[1:]):
        layers.append((rng.uniform(-1, 1, (nout, nin)).tolist(), rng.uniform(-1, 1, nout).tolist()))
    return layers


def flat(layers):
    out = []
    for W, b in layers:
        for j, row in enumerate(W):
            out.extend(row)
            out.append(b[j])
    return out


# ------------------------------------------------------------------ builds
def run_autograd_lite(X, y, layers):
    params = [([[Value(w) for w in row] for row in W], [Value(v) for v in b]) for W, b in layers]
    losses = []
    for xi, yi in zip(X, y):
        a = xi
        for k, (W, b) in enumerate(params):
            z = [Value.sum([*(w * x for w, x in zip(row, a)), b[j]]) for j, row in enumerate(W)]
            a = z if k == len(params) - 1 else [v.relu() for v in z]
        losses.append((1 + -yi * a[0]).relu())
    ps = [p for W, b in params for j, row in enumerate(W) for p in (*row, b[j])]
    loss = Value.sum(losses) * (1.0 / len(losses)) + 1e-4 * Value.sum([p * p for p in ps])
    loss.backward()
    return loss.data, [p.grad for p in ps]


def run_micrograd(X, y, layers):
    from micrograd.engine import Value as MV
    params = [([[MV(w) for w in row] for row in W], [MV(v) for v in b]) for W, b in layers]
    losses = []
    for xi, yi in zip(X, y):
        a = xi
        for k, (W, b) in enumerate(params):
            z = [sum((w * x for w, x in zip(row, a)), b[j]) for j, row in enumerate(W)]
            a = z if k == len(params) - 1 else [v.relu() for v in z]
        losses.append((1 + -yi * a[0]).relu())
    ps = [p for W, b in params for j, row in enumerate(W) for p in (*row, b[j])]
    loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in ps)
    loss.backward()
    return loss.data, [p.grad for p in ps]


def run_torch(X, y, layers):
    import torch
    params = [([[torch.tensor(w, dtype=torch.float64, requires_grad=True) for w in row] for row in W],
               [torch.tensor(v, dtype=torch.float64, requires_grad=True) for v in b]) for W, b in layers]
    losses = []
    for xi, yi in zip(X, y):
        a = [torch.tensor(v, dtype=torch.float64) for v in xi]
        for k, (W, b) in enumerate(params):
            z = [sum((w * x for w, x in zip(row, a)), b[j]) for j, row in enumerate(W)]
            a = z if k == len(params) - 1 else [v.relu() for v in z]
        losses.append((1 + -yi * a[0]).relu())
    ps = [p for W, b in params for j, row in enumerate(W) for p in (*row, b[j])]
    loss = sum(losses) * (1.0 / len(losses)) + 1e-4 * sum(p * p for p in ps)
    loss.backward()
    return loss.item(), [p.grad.item() for p in ps]


def run_floor(X, y, layers):
    """Pure-Python floats: forward, then the hand-derived backward (no graph)."""
    Ws = [W for W, _ in layers]
    bs = [b for _, b in layers]
    gW = [[[0.0] * len(row) for row in W] for W in Ws]
    gb = [[0.0] * len(b) for b in bs]
    n = len(X)
    total = 0.0
    last = len(Ws) - 1
    for xi, yi in zip(X, y):
        acts = [xi]
        zs = []
        a = xi
        for k in range(len(Ws)):
            z = [sum([w * x for w, x in zip(row, a)]) + bs[k][j] for j, row in enumerate(Ws[k])]
            zs.append(z)
            a = z if k == last else [v if v > 0.0 else 0.0 for v in z]
            acts.append(a)
        margin = 1.0 - yi * a[0]
        if margin <= 0.0:
            continue
        total += margin
        delta = [-yi / n]
        for k in range(last, -1, -1):
            a_prev = acts[k]
            gWk, gbk = gW[k], gb[k]
            for j, d in enumerate(delta):
                gbk[j] += d
                row = gWk[j]
                for i, x in enumerate(a_prev):
                    row[i] += d * x
            if k:
                W = Ws[k]
                zp = zs[k - 1]
                delta = [sum([W[j][i] * delta[j] for j in range(len(delta))]) if zp[i] > 0.0 else 0.0
                         for i in range(len(a_prev))]
    grads = []
    reg = 0.0
    for k, W in enumerate(Ws):
        for j, row in enumerate(W):
            for i, w in enumerate(row):
                grads.append(gW[k][j][i] + 2e-4 * w)
                reg += w * w
            grads.append(gb[k][j] + 2e-4 * bs[k][j])
            reg += bs[k][j] ** 2
    return total / n + 1e-4 * reg, grads


PEERS = {
    "autograd_lite": (run_autograd_lite, None),
    "micrograd 0.1.0": (run_micrograd, "micrograd"),
    "torch scalar ops": (run_torch, "torch"),
    "pure-Python floor": (run_floor, None),
}


def available(module: str | None) -> bool:
    if module is None:
        return True
    try:
        __import__(module)
        return True
    except ImportError:
        return False


def time_in_subprocess(name: str, repeats: int) -> float:
    """Median seconds of one forward + backward of ``name``, timed in a fresh interpreter."""
    out = subprocess.run([sys.executable, __file__, "--only", name, "--repeats", str(repeats)],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def time_it(fn, args, repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return times


def chain_memory(n: int) -> float:
    """tracemalloc bytes per op of ``y = y * 1.0000001`` repeated n times (graph kept alive)."""
    gc.collect()
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    y = Value(1.0)
    for _ in range(n):
        y = y * 1.0000001
    used = tracemalloc.get_traced_memory()[0] - base
    tracemalloc.stop()
    del y
    return used / n


def check_agree(results: dict) -> None:
    ref_loss, ref_grads = results["pure-Python floor"]
    for name, (loss, grads) in results.items():
        if not math.isclose(loss, ref_loss, rel_tol=1e-9):
            raise AssertionError(f"{name}: loss {loss!r} != floor {ref_loss!r}")
        worst = max(abs(a - b) / max(1e-12, abs(b)) for a, b in zip(grads, ref_grads) if abs(b) > 1e-12)
        if worst > 1e-8 or len(grads) != len(ref_grads):
            raise AssertionError(f"{name}: gradients differ from the floor (worst relative {worst:.2e})")


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="few repeats and a short chain (smoke run)")
    ap.add_argument("--only", help=argparse.SUPPRESS)
    ap.add_argument("--repeats", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    repeats = args.repeats or (3 if args.quick else 9)
    if args.only:
        X, y = moons()
        fn = PEERS[args.only][0]
        fn(X, y, weights())  # warm up imports and caches
        print(statistics.median(time_it(fn, (X, y, weights()), repeats)))
        return {}
    chain = 100_000 if args.quick else 1_000_000

    X, y = moons()
    layers = weights()
    results, timings, missing = {}, {}, []
    for name, (fn, module) in PEERS.items():
        if not available(module):
            missing.append(name)
            continue
        results[name] = fn(X, y, layers)
    check_agree(results)
    print(f"workload: MLP {'-'.join(map(str, SIZES))} on {len(X)} moons points, forward + backward; "
          f"gradients of {len(results)} implementations agree")
    for name in results:
        timings[name] = time_in_subprocess(name, repeats)
    ours = timings["autograd_lite"]
    print(f"{'implementation':<20} {'median':>10}  ratio vs autograd_lite")
    for name, t in timings.items():
        print(f"{name:<20} {t * 1e3:9.1f}ms  {t / ours:8.2f}x")
    for name in missing:
        print(f"{name:<20} {'missing':>10}  (not installed)")
    per_op = chain_memory(chain)
    print(f"memory: {per_op:.0f} bytes per op on a {chain:,}-op chain (target <= 200)")
    report = {"timings": timings, "bytes_per_op": per_op, "missing": missing}
    targets = []
    if "micrograd 0.1.0" in timings:
        targets.append(("faster than micrograd", timings["micrograd 0.1.0"] / ours, ">=", 20))
    if "torch scalar ops" in timings:
        targets.append(("faster than torch scalar ops", timings["torch scalar ops"] / ours, ">=", 8))
    targets.append(("slower than the pure-Python floor", ours / timings["pure-Python floor"], "<=", 10))
    for what, ratio, cmp, goal in targets:
        ok = ratio >= goal if cmp == ">=" else ratio <= goal
        print(f"target: {ratio:6.1f}x {what} ({cmp} {goal}x): {'met' if ok else 'MISSED'}")
    return report


if __name__ == "__main__":
    main()
