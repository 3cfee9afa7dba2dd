"""The main job of `make demo`.

1. The lecture's worked example: gradients from backward beside finite differences,
   and its graph drawn (SVG/PNG) and stepped through (HTML), where Graphviz is installed.
2. micrograd's moons classifier, trained on the scalar engine: 100 two-moons points
   (generated, seeded: no download), an MLP 2-16-16-1 with ReLU, hinge loss + L2
   (λ = 1e-4), 100 full-batch SGD steps with the learning rate going linearly from
   1.0 to 0.1. It prints the accuracy and writes the decision boundary, the loss
   curve and the model's JSON into ``--out``.
"""

from __future__ import annotations

import argparse
import io
import time
from pathlib import Path

import nn
from autograd_lite import Value
from autograd_lite.files import write_atomic


def worked_example() -> None:
    """Print L = (σ(w·x + b) − 1)² and its gradients beside finite differences."""
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


def render_graphs(out: Path) -> list[Path]:
    """The lecture's 2-2-2 network (lecture 000): ∂L/∂w₁,₁⁽ʰ⁾'s two paths in bold (SVG, PNG),
    the chain rule written out, and the backward pass to step through (HTML).

    Returns the files written; skips the pictures with a note where Graphviz is missing.
    """
    from autograd_lite import draw, explain, render_steps
    from autograd_lite.draw import GraphvizNotFoundError
    from autograd_lite.examples import lecture_network

    loss, v = lecture_network()
    written = []
    try:
        steps = render_steps(loss, out / "lecture_steps.html", rankdir="TB", group=False,
                             title="Backward pass of the lecture's 2-2-2 network, step by step")
        written.append(Path(steps.path))
        drawing = draw(loss, highlight=v["w11h"], rankdir="TB", group=False)
        for fmt in ("svg", "png"):
            written.append(write_atomic(out / f"lecture_graph.{fmt}", drawing.pipe(format=fmt)))
    except GraphvizNotFoundError as e:
        print(f"(graph drawing skipped: {e})")
        loss.backward()
    text = "\n\n".join(str(explain(loss, v[w])) for w in ("w11s", "w11h"))
    written.append(write_atomic(out / "lecture_explain.txt", text + "\n"))
    print(f"\nThe lecture's network: {explain(loss, v['w11h']).count} paths from w₁,₁⁽ʰ⁾ to L "
          f"(see lecture_explain.txt); ∂L/∂w₁,₁⁽ʰ⁾ = {v['w11h'].grad:.6g}")
    return written


def train_moons(out: Path, progress: bool = True, steps: int = 100) -> list[Path]:
    """micrograd's moons demo on the scalar engine (``steps`` full-batch steps); returns the files written."""
    X, y = nn.datasets.make_moons(100, noise=0.1, seed=0)
    X_held, y_held = nn.datasets.make_moons(500, noise=0.1, seed=1)
    model = nn.MLP(2, [16, 16, 1], activation="relu", init="uniform", seed=0)
    print(f"\nmicrograd's moons demo: {model!r}".replace("\n", "\n  "))
    optimizer = nn.SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / steps)
    t0 = time.perf_counter()
    history = nn.fit(model, X, y, loss="hinge", optimizer=optimizer, epochs=steps, l2=1e-4,
                     progress=progress)
    seconds = time.perf_counter() - t0
    train_acc = nn.metrics.accuracy(y, model.classify(X))
    held_acc = nn.metrics.accuracy(y_held, model.classify(X_held))
    print(f"trained in {seconds:.1f} s ({steps} steps, eager engine); final loss {history.loss[-1]:.4f}")
    print(f"accuracy: training {train_acc:.1%} (100 points), held-out {held_acc:.1%} (500 new points)")

    written = [model.save(out / "moons_model.json")]
    try:
        import matplotlib

        matplotlib.use("Agg")
        from nn import plot
    except ImportError as e:
        print(f"(plots skipped: {e}; install the notebooks extra: pip install -e '.[notebooks]')")
        return written
    import matplotlib.pyplot as plt

    title = f"moons: hinge loss + L2, {steps} steps"
    for name, fig in (("moons_decision_boundary.png", plot.decision_boundary(model, X, y)),
                      ("moons_loss.png", plot.curves(history, title=title))):
        png = io.BytesIO()
        fig.savefig(png, format="png", dpi=120, bbox_inches="tight")
        plt.close(fig)
        written.append(write_atomic(out / name, png.getvalue()))
    return written


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="out", help="folder for the pictures and files the demo writes")
    ap.add_argument("--no-progress", action="store_true", help="no progress bar")
    ap.add_argument("--steps", type=int, default=100, help="training steps (default 100, as micrograd)")
    args = ap.parse_args(argv)
    if args.steps < 1:
        ap.error(f"--steps must be a positive integer, got {args.steps}")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    worked_example()
    written = render_graphs(out)
    written += train_moons(out, progress=not args.no_progress, steps=args.steps)
    print("\nwritten:")
    for path in written:
        print(f"  {path}")


if __name__ == "__main__":
    main()
