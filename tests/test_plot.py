"""nn.plot: decision boundaries, learning curves and weight grids, drawn headless (Agg)."""

from __future__ import annotations

import io
import subprocess
import sys
import types

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.image import AxesImage  # noqa: E402

from nn import datasets, plot  # noqa: E402


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


class Disc:
    """Stand-in classifier following the model contract: label 1 inside a disc, else 0."""

    def __init__(self, centre=(0.5, 0.25), radius=0.9):
        self.centre, self.radius, self.calls = np.asarray(centre), radius, []

    def classify(self, X):
        X = np.asarray(X, dtype=np.float64)
        self.calls.append(X.shape)
        return (np.hypot(*(X - self.centre).T) < self.radius).astype(np.int64)


class Nearest:
    """Stand-in K-class classifier: the nearest of K centres."""

    def __init__(self, centres):
        self.centres = np.asarray(centres, dtype=np.float64)

    def classify(self, X):
        d = ((np.asarray(X)[:, None, :] - self.centres[None]) ** 2).sum(axis=-1)
        return np.argmin(d, axis=1)


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=40)
    data = buf.getvalue()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return data


def _image(ax) -> AxesImage:
    images = [a for a in ax.get_children() if isinstance(a, AxesImage)]
    assert len(images) == 1
    return images[0]


# ----------------------------------------------------------------------------- decision_boundary

def test_decision_boundary_regions_are_the_models_labels():
    X, y = datasets.make_moons(60, noise=0.1, seed=0)
    model = Disc()
    fig = plot.decision_boundary(model, X, y, resolution=50)
    assert model.calls == [(2500, 2), (60, 2)]  # one call for the whole grid, one for the points
    ax = fig.axes[0]
    img = _image(ax)
    Z = np.asarray(img.get_array())
    assert Z.shape == (50, 50)
    span = X.max(axis=0) - X.min(axis=0)
    x0, x1 = X[:, 0].min() - 0.1 * span[0], X[:, 0].max() + 0.1 * span[0]
    y0, y1 = X[:, 1].min() - 0.1 * span[1], X[:, 1].max() + 0.1 * span[1]
    assert ax.get_xlim() == pytest.approx((x0, x1)) and ax.get_ylim() == pytest.approx((y0, y1))
    # pixel i is centred on grid point i: the image reaches half a pixel beyond the first/last point
    hx, hy = (x1 - x0) / 49 / 2, (y1 - y0) / 49 / 2
    np.testing.assert_allclose(img.get_extent(), [x0 - hx, x1 + hx, y0 - hy, y1 + hy])
    gx, gy = np.meshgrid(np.linspace(x0, x1, 50), np.linspace(y0, y1, 50))
    expected = Disc().classify(np.column_stack([gx.ravel(), gy.ravel()])).reshape(50, 50)
    np.testing.assert_array_equal(Z, expected)
    # origin="lower": row 0 of the image is the bottom of the plot
    assert img.origin == "lower"
    _png(fig)


def test_decision_boundary_legend_title_and_misclassified_points():
    X = np.array([[0.0, 0.0], [0.1, 0.1], [3.0, 3.0], [2.9, 3.1], [0.2, -0.1]])
    y = np.array([0, 0, 1, 1, 1])  # the last point sits in class 0's region
    model = Nearest([[0.0, 0.0], [3.0, 3.0]])
    fig = plot.decision_boundary(model, X, y, resolution=20, class_names=["cat", "dog"])
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["cat (2)", "dog (3)", "misclassified (1)"]
    assert ax.get_title() == "Decision boundary: accuracy 80.0% on these 5 points"
    rings = [c for c in ax.collections if c.get_label() == "misclassified (1)"][0]
    np.testing.assert_array_equal(rings.get_offsets(), [[0.2, -0.1]])
    assert ax.get_xlabel() == "$x_1$" and ax.get_ylabel() == "$x_2$"


def test_decision_boundary_three_classes_into_given_axes():
    X, y = datasets.make_blobs(90, centers=[[0, 0], [4, 0], [2, 4]], std=0.3, seed=1)
    fig, ax = plt.subplots()
    out = plot.decision_boundary(Nearest([[0, 0], [4, 0], [2, 4]]), X, y, ax=ax, resolution=40,
                                 title="blobs")
    assert out is fig and ax.get_title() == "blobs"
    Z = np.asarray(_image(ax).get_array())
    assert set(np.unique(Z).tolist()) == {0, 1, 2}
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert texts == ["class 0 (30)", "class 1 (30)", "class 2 (30)"]  # no misclassified entry
    assert "accuracy" not in ax.get_title()


def test_decision_boundary_single_region_draws_no_contour():
    X, y = datasets.make_moons(20, seed=0)
    always_zero = types.SimpleNamespace(classify=lambda Q: np.zeros(len(Q), dtype=np.int64))
    fig = plot.decision_boundary(always_zero, X, y, resolution=10)
    assert np.all(np.asarray(_image(fig.axes[0]).get_array()) == 0)
    assert "50.0%" in fig.axes[0].get_title()
    _png(fig)


@pytest.mark.parametrize("kwargs,exc,words", [
    ({"X": np.zeros((5, 3))}, ValueError, ["X", "(n, 2)", "(5, 3)"]),
    ({"X": np.array([[0.0, np.nan]] * 5)}, ValueError, ["X[0, 1]", "nan"]),
    ({"y": np.zeros(4)}, ValueError, ["y", "(4,)", "5"]),
    ({"y": np.array([0.5] * 5)}, ValueError, ["y", "integer", "float64"]),
    ({"y": np.array([-1] * 5)}, ValueError, ["y", "-1"]),
    ({"resolution": 1}, ValueError, ["resolution", "1"]),
    ({"resolution": 10.0}, ValueError, ["resolution", "10.0"]),
    ({"padding": -0.1}, ValueError, ["padding", "-0.1"]),
    ({"model": object()}, TypeError, ["classify", "object"]),
    ({"model": types.SimpleNamespace(classify=lambda Q: np.zeros((len(Q), 2)))}, ValueError,
     ["model.classify(X)", "shape"]),
    ({"class_names": ["only one"]}, ValueError, ["class_names", "1 names"]),
])
def test_decision_boundary_bad_input(kwargs, exc, words):
    args = {"model": Disc(), "X": np.random.default_rng(0).normal(size=(5, 2)),
            "y": np.array([0, 1, 0, 1, 1]), "resolution": 8}
    args.update(kwargs)
    with pytest.raises(exc) as info:
        plot.decision_boundary(args.pop("model"), args.pop("X"), args.pop("y"), **args)
    for word in ["decision_boundary", *words]:
        assert word in str(info.value)


# ----------------------------------------------------------------------------- curves

def _history(n=12, validation=True):
    loss = list(np.exp(-np.arange(n) / 4))
    acc = list(np.linspace(0.5, 1.0, n))
    return types.SimpleNamespace(loss=loss, accuracy=acc,
                                 val_loss=[v + 0.1 for v in loss] if validation else [],
                                 val_accuracy=[a - 0.05 for a in acc] if validation else [], epochs=n)


def test_curves_plots_every_series_per_epoch():
    h = _history()
    fig = plot.curves(h)
    loss_ax, acc_ax = fig.axes
    lines = {line.get_label(): line for line in loss_ax.get_lines()}
    assert sorted(lines) == [f"train (last {h.loss[-1]:.4g})", f"validation (last {h.val_loss[-1]:.4g})"]
    train = lines[f"train (last {h.loss[-1]:.4g})"]
    np.testing.assert_array_equal(train.get_xdata(), np.arange(1, 13))
    np.testing.assert_allclose(train.get_ydata(), h.loss)
    acc_lines = acc_ax.get_lines()
    assert [line.get_label() for line in acc_lines] == ["train (last 100.0%)", "validation (last 95.0%)"]
    np.testing.assert_allclose(acc_lines[1].get_ydata(), h.val_accuracy)
    assert acc_ax.get_ylim()[1] == pytest.approx(1.02)
    assert acc_ax.yaxis.get_major_formatter()(0.5, 0) == "50%"
    assert fig.get_suptitle() == "Learning curves" and loss_ax.get_xlabel() == "epoch"
    _png(fig)


def test_curves_without_validation_or_accuracy():
    h = _history(validation=False)
    fig = plot.curves(vars(h), log_loss=True, title="run 1")
    assert len(fig.axes) == 2 and len(fig.axes[0].get_lines()) == 1 and len(fig.axes[1].get_lines()) == 1
    assert fig.axes[0].get_yscale() == "log" and fig.get_suptitle() == "run 1"
    only_loss = plot.curves({"loss": [3.0, 2.0, float("nan"), 1.0]})
    assert len(only_loss.axes) == 1 and only_loss.axes[0].get_title() == "Loss"
    _png(only_loss)


def test_curves_into_a_given_figure():
    fig = plt.figure()
    assert plot.curves(_history(3), fig=fig) is fig and len(fig.axes) == 2


@pytest.mark.parametrize("history,exc,words", [
    ({"loss": []}, ValueError, ["loss", "empty"]),
    ({}, ValueError, ["loss", "empty"]),
    ({"loss": [1.0], "accuracy": [95.0]}, ValueError, ["accuracy", "[0, 1]", "95"]),
    ({"loss": ["a"]}, TypeError, ["loss"]),
    ({"loss": [[1.0, 2.0]]}, ValueError, ["loss", "flat"]),
])
def test_curves_bad_history(history, exc, words):
    with pytest.raises(exc) as info:
        plot.curves(history)
    for word in ["curves", *words]:
        assert word in str(info.value)


# ----------------------------------------------------------------------------- weights_grid

def _fake_mlp(W_per_layer):
    V = lambda x: types.SimpleNamespace(data=float(x))
    layers = [types.SimpleNamespace(neurons=[types.SimpleNamespace(w=[V(v) for v in row]) for row in W])
              for W in W_per_layer]
    return types.SimpleNamespace(layers=layers)


def test_weights_grid_shows_each_units_weights():
    rng = np.random.default_rng(0)
    W0, W1 = rng.normal(size=(10, 64)), rng.normal(size=(3, 10))
    fig = plot.weights_grid(_fake_mlp([W0, W1]), layer=0, shape=(8, 8))
    images = [_image(ax) for ax in fig.axes if ax.get_images()]
    assert len(images) == 10
    vmax = np.abs(W0).max()
    for j, img in enumerate(images):
        np.testing.assert_array_equal(img.get_array(), W0[j].reshape(8, 8))
        assert img.get_clim() == (-vmax, vmax)
    titled = [ax.get_title() for ax in fig.axes if ax.get_images()]
    assert titled == [f"unit {j}" for j in range(10)]
    assert fig.get_suptitle() == "Layer 0: incoming weights of its 10 units, as 8x8 images"
    # 10 units: 5 columns x 2 rows, plus the colorbar's axes
    assert len(fig.axes) == 10 + 1
    _png(fig)


def test_weights_grid_other_layer_shape_and_columns():
    rng = np.random.default_rng(1)
    W1 = rng.normal(size=(3, 10))
    fig = plot.weights_grid(_fake_mlp([rng.normal(size=(10, 4)), W1]), layer=-1, shape=(2, 5), cols=2)
    images = [ax.get_images()[0] for ax in fig.axes if ax.get_images()]
    np.testing.assert_array_equal(images[2].get_array(), W1[2].reshape(2, 5))
    hidden = [ax for ax in fig.axes if not ax.get_images() and not ax.axison]
    assert len(hidden) == 1  # 3 units on a 2x2 grid: one empty cell
    assert fig.get_suptitle().startswith("Layer 1:")


def test_weights_grid_accepts_a_layer_and_all_zero_weights():
    layer = _fake_mlp([np.zeros((2, 4))]).layers[0]
    fig = plot.weights_grid(layer, shape=(2, 2))
    img = fig.axes[0].get_images()[0]
    assert img.get_clim() == (-1.0, 1.0)
    _png(fig)


@pytest.mark.parametrize("kwargs,exc,words", [
    ({"shape": (7, 7)}, ValueError, ["shape", "49 pixels", "64"]),
    ({"shape": (8,)}, ValueError, ["shape", "(8,)"]),
    ({"layer": 2}, ValueError, ["layer", "0..1", "2"]),
    ({"layer": -3}, ValueError, ["layer", "-3"]),
    ({"cols": 0}, ValueError, ["cols", "0"]),
])
def test_weights_grid_bad_input(kwargs, exc, words):
    model = _fake_mlp([np.ones((4, 64)), np.ones((2, 4))])
    with pytest.raises(exc) as info:
        plot.weights_grid(model, **kwargs)
    for word in ["weights_grid", *words]:
        assert word in str(info.value)
    with pytest.raises(TypeError, match="weights_grid: model must have .layers"):
        plot.weights_grid(object())


# ----------------------------------------------------------------------------- without matplotlib

def test_import_nn_works_without_matplotlib_and_plot_says_how_to_install():
    code = (
        "import sys\n"
        "sys.modules['matplotlib'] = None\n"
        "import nn, nn.plot\n"
        "assert 'matplotlib' not in [m for m in sys.modules if sys.modules[m] is not None]\n"
        "X, y = nn.datasets.xor()\n"
        "try:\n"
        "    nn.plot.curves({'loss': [1.0]})\n"
        "except ImportError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "nn.plot needs matplotlib" in out.stdout and "pip install autograd-lite[notebooks]" in out.stdout


# ----------------------------------------------------------------------------- with real nn models

def test_plots_of_a_trained_mlp():
    import nn

    X, y = datasets.make_blobs(40, centers=[[-2.0, 0.0], [2.0, 0.5]], std=0.6, seed=3)
    X_val, y_val = datasets.make_blobs(20, centers=[[-2.0, 0.0], [2.0, 0.5]], std=0.6, seed=4)
    model = nn.MLP(2, [4, 1], activation="tanh", seed=0)
    history = nn.fit(model, X, y, loss="hinge", optimizer=nn.SGD(model.parameters(), lr=0.1), epochs=5,
                     batch_size=10, validation=(X_val, y_val), progress=False)
    fig = plot.decision_boundary(model, X, y, resolution=30)
    ax = fig.axes[0]
    img = _image(ax)
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    gx, gy = np.meshgrid(np.linspace(x0, x1, 30), np.linspace(y0, y1, 30))
    np.testing.assert_array_equal(img.get_array(), model.classify(np.column_stack([gx.ravel(), gy.ravel()]))
                                  .reshape(30, 30))
    acc = nn.metrics.accuracy(y, model.classify(X))
    assert ax.get_title() == f"Decision boundary: accuracy {acc:.1%} on these 40 points"
    assert acc >= 0.95  # two well separated blobs
    _png(fig)

    fig = plot.curves(history)
    loss_ax, acc_ax = fig.axes
    np.testing.assert_allclose(loss_ax.get_lines()[0].get_ydata(), history.loss)
    np.testing.assert_allclose(acc_ax.get_lines()[1].get_ydata(), history.val_accuracy)
    np.testing.assert_array_equal(loss_ax.get_lines()[0].get_xdata(), history.epochs)
    _png(fig)


def test_weights_grid_of_a_digits_mlp():
    import nn

    model = nn.MLP(64, [5, 10], activation="tanh", seed=1)
    fig = plot.weights_grid(model)
    images = [ax.get_images()[0] for ax in fig.axes if ax.get_images()]
    assert len(images) == 5
    for j, img in enumerate(images):
        expected = np.array([w.data for w in model.layers[0].neurons[j].w]).reshape(8, 8)
        np.testing.assert_array_equal(img.get_array(), expected)
    out_layer = plot.weights_grid(model, layer=1, shape=(1, 5))
    assert len([ax for ax in out_layer.axes if ax.get_images()]) == 10
    _png(fig)
