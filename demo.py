"""The main job of `make demo`: the lecture's worked example, gradients beside finite differences."""

from __future__ import annotations

import argparse
from pathlib import Path

from autograd_lite import Value


def worked_example() -> None:
    w = Value(0.5, label="w")
    x = Value(2.0, label="x")
    b = Value(-1.0, label="b")
    a = (w * x + b).sigmoid()
    a.label = "a"
    loss = (a - 1.0) ** 2
    loss.label = "L"
    loss.backward()

    def f(wv: float, xv: float, bv: float) -> float:
        return ((Value(wv) * xv + bv).sigmoid() - 1.0).data ** 2

    h = 1e-6
    print("L = (σ(w·x + b) - 1)²  with w = 0.5, x = 2, b = -1")
    print(f"L = {loss.data:.6f}")
    print(f"{'':6}{'backward':>14}{'finite diff.':>16}")
    for v, (dw, dx, db) in ((w, (h, 0, 0)), (x, (0, h, 0)), (b, (0, 0, h))):
        fd = (f(0.5 + dw, 2.0 + dx, -1.0 + db) - f(0.5 - dw, 2.0 - dx, -1.0 - db)) / (2 * h)
        print(f"dL/d{v.label:<3}{v.grad:>14.9f}{fd:>16.9f}")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", default="out", help="folder for the pictures and files the demo writes")
    args = ap.parse_args(argv)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    worked_example()


if __name__ == "__main__":
    main()
