"""Pictures of training: decision boundaries, learning curves and first-layer weights.

Each function returns a matplotlib ``Figure``. matplotlib comes with the notebooks extra
(``pip install autograd-lite[notebooks]``) and is imported only when a function is called, so
``import nn`` works without it.

Figures are made with pyplot (``plt.show()`` shows them in a script, Jupyter shows them at the
end of the cell; end the cell with ``;`` or assign the result so it is not shown twice). Without a
display, matplotlib's Agg backend draws them, and ``fig.savefig("name.png")`` writes them.

- :func:`decision_boundary`: the class regions a 2-D classifier draws, with the data on top.
- :func:`curves`: loss and accuracy per epoch, training and validation.
- :func:`weights_grid`: each hidden unit's incoming weights shown as an image (e.g. 8x8 digits).
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover - for type checkers only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = ["decision_boundary", "curves", "weights_grid"]

_INSTALL_HINT = "pip install autograd-lite[notebooks]"


def _pyplot() -> Any:
    """matplotlib.pyplot, or an ImportError that says how to install it."""
    try:
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise ImportError(f"nn.plot needs matplotlib, which is not installed: {_INSTALL_HINT}") from exc
    return plt


def _class_colors(k: int) -> list[tuple[float, float, float]]:
    from matplotlib import colormaps

    if k <= 10:
        cmap = colormaps["tab10"]
        return [cmap(i)[:3] for i in range(k)]
    cmap = colormaps["turbo"]
    return [cmap(i / max(k - 1, 1))[:3] for i in range(k)]


def _lighten(rgb: tuple[float, float, float], amount: float = 0.7) -> tuple[float, float, float]:
    return tuple(c + (1.0 - c) * amount for c in rgb)  # type: ignore[return-value]


# ----------------------------------------------------------------------------- decision boundary

def _points(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    try:
        P = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"decision_boundary: X must be an array of shape (n, 2), "
                        f"got {type(X).__name__}") from exc
    if P.ndim != 2 or P.shape[1] != 2 or P.shape[0] == 0:
        raise ValueError(f"decision_boundary: X must be a non-empty array of shape (n, 2) (a 2-D "
                         f"classifier), got shape {P.shape}")
    if not np.all(np.isfinite(P)):
        r, c = np.argwhere(~np.isfinite(P))[0]
        raise ValueError(f"decision_boundary: X[{r}, {c}] is {P[r, c]!r}; points must be finite")
    labels = np.asarray(y)
    if labels.shape != (P.shape[0],):
        raise ValueError(f"decision_boundary: y must hold one label per point ({P.shape[0]}), got shape "
                         f"{labels.shape}")
    return P, _int_labels(labels, "decision_boundary: y")


def _int_labels(labels: np.ndarray, what: str) -> np.ndarray:
    if labels.dtype.kind == "f" and np.all(np.isfinite(labels)) and np.all(labels == np.round(labels)):
        labels = labels.astype(np.int64)
    if labels.dtype.kind not in "iu":
        raise ValueError(f"{what} must be integer class labels 0..K-1, got dtype {labels.dtype} "
                         f"(e.g. {labels[:3].tolist()!r})")
    if labels.size and labels.min() < 0:
        raise ValueError(f"{what} must be class labels 0..K-1, found {int(labels.min())}")
    return labels.astype(np.int64)


def _classify(model: Any, Q: np.ndarray) -> np.ndarray:
    classify = getattr(model, "classify", None)
    if not callable(classify):
        raise TypeError(f"decision_boundary: model must have a classify(X) method returning one label per "
                        f"row, got {type(model).__name__}")
    out = np.asarray(classify(Q))
    if out.shape != (len(Q),):
        raise ValueError(f"decision_boundary: model.classify(X) returned shape {out.shape} for {len(Q)} "
                         f"points; expected ({len(Q)},)")
    return _int_labels(out, "decision_boundary: model.classify(X)")


def decision_boundary(model: Any, X: Any, y: Any, ax: Axes | None = None, resolution: int = 200, *,
                      class_names: Sequence[str] | None = None, title: str | None = None,
                      padding: float = 0.1) -> Figure:
    """Draw the regions a 2-D classifier assigns to each class, with the labelled points on top.

    The plane around the data is sampled on a ``resolution`` x ``resolution`` grid and every grid
    point is classified with ONE call ``model.classify(grid)`` (the compiled forward makes a
    200x200 grid fast). Regions are shaded in light class colours with the boundaries as thin
    lines, the points in full colours; points the model gets wrong are circled in black and the
    title reports the accuracy on ``(X, y)``.

    Args:
        model: anything with ``classify(X) -> int labels (n,)`` (e.g. ``nn.MLP``).
        X: points, shape (n, 2).
        y: their labels 0..K-1, shape (n,).
        ax: matplotlib Axes to draw into (default: a new figure).
        resolution: grid points per axis, >= 2.
        class_names: legend names, one per class (default "class k").
        title: figure title (default: "Decision boundary (accuracy …)").
        padding: margin around the data as a fraction of its range, >= 0.

    Returns:
        The Figure holding the plot.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, numbers.Integral) or resolution < 2:
        raise ValueError(f"decision_boundary: resolution must be an integer >= 2, got {resolution!r}")
    if isinstance(padding, bool) or not isinstance(padding, numbers.Real) or not 0 <= padding < math.inf:
        raise ValueError(f"decision_boundary: padding must be a finite number >= 0, got {padding!r}")
    P, labels = _points(X, y)
    plt = _pyplot()

    lo, hi = P.min(axis=0), P.max(axis=0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    lo, hi = lo - padding * span, hi + padding * span
    gx = np.linspace(lo[0], hi[0], int(resolution))
    gy = np.linspace(lo[1], hi[1], int(resolution))
    xx, yy = np.meshgrid(gx, gy)
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    Z = _classify(model, grid).reshape(xx.shape)
    predicted = _classify(model, P)

    k = int(max(labels.max(), Z.max(), predicted.max())) + 1
    if class_names is not None:
        class_names = [str(c) for c in class_names]
        if len(class_names) < k:
            raise ValueError(f"decision_boundary: class_names has {len(class_names)} names but the labels "
                             f"go up to {k - 1}")
    names = class_names or [f"class {c}" for c in range(k)]
    colors = _class_colors(k)

    if ax is None:
        ratio = (hi[1] - lo[1]) / (hi[0] - lo[0])
        height = float(np.clip(6.0 * ratio, 3.5, 7.0))
        fig, ax = plt.subplots(figsize=(7.0, height + 0.8), layout="constrained")
    fig = ax.figure

    from matplotlib.colors import ListedColormap

    regions = ListedColormap([_lighten(c) for c in colors])
    # Each pixel is centred on the grid point it shows, so regions and boundary lines agree exactly.
    hx, hy = (gx[1] - gx[0]) / 2, (gy[1] - gy[0]) / 2
    ax.imshow(Z, origin="lower", extent=(lo[0] - hx, hi[0] + hx, lo[1] - hy, hi[1] + hy), cmap=regions,
              vmin=-0.5, vmax=k - 0.5, interpolation="nearest", aspect="auto", zorder=0)
    present = np.unique(Z)
    if len(present) > 1:
        ax.contour(xx, yy, Z, levels=np.arange(k - 1) + 0.5, colors="0.25", linewidths=0.8, zorder=1)

    size = 36 if len(P) <= 300 else 14
    for c in range(k):
        mask = labels == c
        if mask.any():
            ax.scatter(P[mask, 0], P[mask, 1], s=size, color=colors[c], edgecolors="white", linewidths=0.6,
                       label=f"{names[c]} ({int(mask.sum())})", zorder=3)
    wrong = predicted != labels
    if wrong.any():
        ax.scatter(P[wrong, 0], P[wrong, 1], s=size * 3.2, facecolors="none", edgecolors="black",
                   linewidths=1.2, label=f"misclassified ({int(wrong.sum())})", zorder=4)
    accuracy = float(np.mean(~wrong))
    ax.set_xlim(lo[0], hi[0])
    ax.set_ylim(lo[1], hi[1])
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title if title is not None else
                 f"Decision boundary: accuracy {accuracy:.1%} on these {len(P)} points")
    ax.legend(loc="best", framealpha=0.9, fontsize="small")
    return fig


# ----------------------------------------------------------------------------- learning curves

def _series(history: Any, name: str) -> np.ndarray:
    if isinstance(history, dict):
        values = history.get(name, [])
    else:
        values = getattr(history, name, [])
    if values is None:
        values = []
    try:
        arr = np.asarray(list(values), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"curves: history.{name} must be a list of numbers, got {values!r:.80}") from exc
    if arr.ndim != 1:
        raise ValueError(f"curves: history.{name} must be a flat list of numbers, got shape {arr.shape}")
    return arr


def curves(history: Any, *, title: str | None = None, log_loss: bool = False,
           fig: Figure | None = None) -> Figure:
    """Loss and accuracy per epoch, for the training set and (when present) the validation set.

    Args:
        history: an ``nn.History`` or a dict with per-epoch lists ``loss``, ``accuracy``,
            ``val_loss``, ``val_accuracy`` (the last three may be empty or missing; without any
            accuracy only the loss panel is drawn). Non-finite losses (a diverged run) show as gaps.
        title: figure title (default "Learning curves").
        log_loss: draw the loss on a logarithmic axis.
        fig: an empty Figure to draw into (default: a new one).

    Returns:
        The Figure: the loss panel on the left, accuracy (in %) on the right.
    """
    loss, val_loss = _series(history, "loss"), _series(history, "val_loss")
    acc, val_acc = _series(history, "accuracy"), _series(history, "val_accuracy")
    if len(loss) == 0:
        raise ValueError("curves: history.loss is empty; train for at least one epoch first")
    for name, a in (("accuracy", acc), ("val_accuracy", val_acc)):
        finite = a[np.isfinite(a)]
        if finite.size and (finite.min() < 0 or finite.max() > 1):
            raise ValueError(f"curves: history.{name} must be fractions in [0, 1], found "
                             f"{finite.min():g}..{finite.max():g}")
    plt = _pyplot()
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    panels = 2 if (len(acc) or len(val_acc)) else 1
    if fig is None:
        fig = plt.figure(figsize=(5.2 * panels, 4.0), layout="constrained")
    axes = fig.subplots(1, panels, squeeze=False)[0]

    def draw(ax: Axes, train: np.ndarray, val: np.ndarray, fmt: str) -> None:
        for series, label, style in ((train, "train", "-"), (val, "validation", "--")):
            if len(series):
                epochs = np.arange(1, len(series) + 1)
                final = series[-1]
                ax.plot(epochs, series, style, marker="o" if len(series) <= 30 else None, markersize=3,
                        label=f"{label} (last {fmt.format(final)})")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize="small")

    draw(axes[0], loss, val_loss, "{:.4g}")
    axes[0].set_ylabel("loss")
    axes[0].set_title("Loss")
    if log_loss:
        axes[0].set_yscale("log")
    if panels == 2:
        draw(axes[1], acc, val_acc, "{:.1%}")
        axes[1].set_ylabel("accuracy")
        axes[1].set_title("Accuracy")
        axes[1].yaxis.set_major_formatter(PercentFormatter(1.0))
        seen = np.concatenate([acc, val_acc])
        seen = seen[np.isfinite(seen)]
        low = math.floor(10 * float(seen.min())) / 10 if seen.size else 0.0
        axes[1].set_ylim(max(0.0, low - 0.02), 1.02)
    fig.suptitle(title if title is not None else "Learning curves")
    return fig


# ----------------------------------------------------------------------------- weights

def _layer_weights(model: Any, layer: int) -> np.ndarray:
    layers = getattr(model, "layers", None)
    if layers is None and hasattr(model, "neurons"):
        layers = [model]  # a single Layer
    if layers is None:
        raise TypeError(f"weights_grid: model must have .layers (an nn.MLP) or .neurons (an nn.Layer), "
                        f"got {type(model).__name__}")
    if (isinstance(layer, bool) or not isinstance(layer, numbers.Integral)
            or not -len(layers) <= layer < len(layers)):
        raise ValueError(f"weights_grid: layer must be an index in 0..{len(layers) - 1}, got {layer!r}")
    neurons = layers[layer].neurons
    return np.array([[float(w.data) for w in n.w] for n in neurons], dtype=np.float64)


def _grid_columns(units: int) -> int:
    """About-square grid width leaving the fewest empty cells (32 units: 8 x 4)."""
    start = math.ceil(math.sqrt(units))
    return min(range(start, 2 * start + 1), key=lambda c: (math.ceil(units / c) * c - units, c))


def weights_grid(model: Any, layer: int = 0, shape: tuple[int, int] = (8, 8), *, cols: int | None = None,
                 title: str | None = None, fig: Figure | None = None) -> Figure:
    """Show each unit's incoming weights of one layer as a small image.

    For a digits model (64 inputs = 8x8 pixels) each hidden unit of layer 0 becomes an 8x8
    picture of the pattern it responds to: red pixels push its z up, blue ones down (one
    colour scale, symmetric around 0, shared by all units so they can be compared).

    Args:
        model: an ``nn.MLP`` (uses ``model.layers[layer]``) or a single ``nn.Layer``.
        layer: which layer (index; negative counts from the end).
        shape: (rows, cols) of one image; rows*cols must equal the layer's number of inputs.
        cols: images per row of the grid (default: about a square).
        title: figure title (default names the layer and the number of units).
        fig: an empty Figure to draw into (default: a new one).

    Returns:
        The Figure.
    """
    W = _layer_weights(model, layer)
    if (not isinstance(shape, Sequence) or len(shape) != 2
            or not all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s > 0 for s in shape)):
        raise ValueError(f"weights_grid: shape must be (rows, cols) of positive ints, got {shape!r}")
    rows_px, cols_px = int(shape[0]), int(shape[1])
    units, nin = W.shape
    if rows_px * cols_px != nin:
        raise ValueError(f"weights_grid: shape {tuple(shape)} has {rows_px * cols_px} pixels but the units "
                         f"of layer {layer} have {nin} incoming weights")
    if cols is None:
        cols = _grid_columns(units)
    if isinstance(cols, bool) or not isinstance(cols, numbers.Integral) or cols < 1:
        raise ValueError(f"weights_grid: cols must be a positive integer, got {cols!r}")
    cols = min(int(cols), units)
    rows = math.ceil(units / cols)
    plt = _pyplot()

    cell = 1.3 * max(1.0, cols_px / rows_px) ** 0.5
    if fig is None:
        fig = plt.figure(figsize=(cell * cols + 1.2, cell * rows * rows_px / cols_px + 0.9),
                         layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False)
    vmax = float(np.max(np.abs(W))) or 1.0
    image = None
    for j in range(rows * cols):
        ax = axes[j // cols][j % cols]
        ax.set_xticks([])
        ax.set_yticks([])
        if j >= units:
            ax.set_axis_off()
            continue
        image = ax.imshow(W[j].reshape(rows_px, cols_px), cmap="RdBu_r", vmin=-vmax, vmax=vmax,
                          interpolation="nearest")
        ax.set_title(f"unit {j}", fontsize="small", pad=2)
    fig.colorbar(image, ax=axes.ravel().tolist(), shrink=0.8, label="weight")
    index = layer if layer >= 0 else len(getattr(model, "layers", [model])) + layer
    fig.suptitle(title if title is not None else
                 f"Layer {index}: incoming weights of its {units} units, as {rows_px}x{cols_px} images")
    return fig
