"""Train the README's example models and draw the pictures in docs/ (seeded: same pictures every run).

    .venv/bin/python docs/make_figures.py [--out docs]

- ``decision_boundary.png``: micrograd's demo (100 moons, noise 0.1, 2-16-16-1 ReLU MLP, hinge loss
  + L2 1e-4, 100 full-batch SGD steps with the learning rate decaying linearly from 1.0 to 0.1).
- ``moons_curves.png``: that run's loss and accuracy per step, with 500 held-out moons as validation.
- ``graph.png``: lecture 000's 2-2-2 network, the two paths from the hidden weight w₁,₁⁽ʰ⁾ to L in bold
  (drawn top to bottom without neuron boxes: at README width the boxed layout is a wide staircase).
- ``digits_weights.png``: the 32 hidden units' incoming weights of a 64-32-10 tanh network trained
  on the shipped 8x8 digits (softmax cross-entropy, Adam), one 8x8 image per unit.
"""

from __future__ import annotations

import argparse
import io
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import nn  # noqa: E402
from autograd_lite import draw  # noqa: E402
from autograd_lite.examples import lecture_network  # noqa: E402
from autograd_lite.files import write_atomic  # noqa: E402
from nn import datasets, metrics, plot  # noqa: E402


def _save(fig, path: Path) -> None:
    png = io.BytesIO()
    fig.savefig(png, format="png", dpi=110)
    print(f"wrote {write_atomic(path, png.getvalue())}")


def lecture_graph(out: Path) -> None:
    loss, v = lecture_network()
    loss.backward()
    drawing = draw(loss, highlight=v["w11h"], rankdir="TB", group=False)
    drawing.graph_attr["dpi"] = "72"
    print(f"wrote {write_atomic(out / 'graph.png', drawing.pipe(format='png'))}")


def moons(out: Path) -> None:
    X, y = datasets.make_moons(100, noise=0.1, seed=0)
    X_val, y_val = datasets.make_moons(500, noise=0.1, seed=1)
    model = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    steps = 100
    optimizer = nn.SGD(model.parameters(), lr=lambda k: 1.0 - 0.9 * k / steps)
    history = nn.fit(model, X, y, loss="hinge", optimizer=optimizer, epochs=steps, l2=1e-4,
                     validation=(X_val, y_val), progress=False)
    train_acc = metrics.accuracy(y, model.classify(X))
    val_acc = metrics.accuracy(y_val, model.classify(X_val))
    print(f"moons: training accuracy {train_acc:.1%}, held-out accuracy {val_acc:.1%}")
    fig = plot.decision_boundary(
        model, X, y, resolution=300, class_names=["upper moon", "lower moon"],
        title=f"micrograd's demo: 2-16-16-1 ReLU MLP, hinge loss, {steps} SGD steps\n"
              f"training accuracy {train_acc:.0%} (100 points), held-out {val_acc:.1%} (500 points)")
    _save(fig, out / "decision_boundary.png")
    fig = plot.curves(history, log_loss=True,
                      title="micrograd's moons demo: one full-batch step per epoch, 500 held-out moons")
    _save(fig, out / "moons_curves.png")


def digits(out: Path) -> None:
    X, y = datasets.load_digits()
    X_tr, X_te, y_tr, y_te = datasets.train_test_split(X / 16.0, y, test_size=0.25, seed=0, stratify=True)
    model = nn.MLP(64, [32, 10], activation="tanh", seed=0)
    nn.fit(model, X_tr, y_tr, loss="cross_entropy", optimizer=nn.Adam(model.parameters(), lr=0.01),
           epochs=30, batch_size=32, l2=5.0, progress=False, engine="compiled")
    test_acc = metrics.accuracy(y_te, model.classify(X_te))
    print(f"digits: test accuracy {test_acc:.1%}")
    fig = plot.weights_grid(
        model, layer=0, shape=(8, 8),
        title=f"64-32-10 tanh network on the 8x8 digits (test accuracy {test_acc:.1%}): "
              f"each hidden unit's 64 incoming weights")
    _save(fig, out / "digits_weights.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).resolve().parent,
                        help="folder for the PNG files (default: docs/)")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    lecture_graph(args.out)
    moons(args.out)
    digits(args.out)


if __name__ == "__main__":
    main()
