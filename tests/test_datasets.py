"""nn.datasets: generators, shipped tables, the MNIST IDX reader, splitting and standardizing."""

from __future__ import annotations

import gzip
import math
import struct
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn import datasets as ds

GENERATORS = {
    "moons": lambda seed: ds.make_moons(101, noise=0.1, seed=seed),
    "circles": lambda seed: ds.make_circles(60, noise=0.05, factor=0.5, seed=seed),
    "spirals": lambda seed: ds.make_spirals(90, n_classes=3, noise=0.05, seed=seed),
    "blobs": lambda seed: ds.make_blobs(75, centers=3, std=1.0, seed=seed),
}


# ----------------------------------------------------------------------------- generators

@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generator_contract_and_determinism(name):
    X, y = GENERATORS[name](0)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.ndim == 2 and X.shape == (len(y), 2)
    k = int(y.max()) + 1
    assert set(y.tolist()) == set(range(k))
    assert np.bincount(y).max() - np.bincount(y).min() <= 1  # classes split as evenly as possible
    X2, y2 = GENERATORS[name](0)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    X3, _ = GENERATORS[name](1)
    assert not np.array_equal(X, X3)
    assert len(set(y[: len(y) // 2].tolist())) > 1  # rows are shuffled, not sorted by class


def test_xor_truth_table():
    X, y = ds.xor()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(y, [0, 1, 1, 0])
    assert X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(y, np.logical_xor(X[:, 0], X[:, 1]).astype(int))


def test_moons_geometry_without_noise():
    X, y = ds.make_moons(51, noise=0.0, seed=3)
    upper, lower = X[y == 0], X[y == 1]
    assert len(upper) == 26 and len(lower) == 25
    np.testing.assert_allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0, atol=1e-12)
    assert upper[:, 1].min() >= -1e-12
    np.testing.assert_allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0, atol=1e-12)
    assert lower[:, 1].max() <= 0.5 + 1e-12
    # the end points of both half circles are there
    for point in ([1, 0], [-1, 0]):
        assert np.min(np.hypot(*(upper - point).T)) < 1e-12
    for point in ([0, 0.5], [2, 0.5]):
        assert np.min(np.hypot(*(lower - point).T)) < 1e-12


def test_moons_noise_has_the_requested_standard_deviation():
    noise = 0.05
    X, y = ds.make_moons(4000, noise=noise, seed=0)
    upper = X[y == 0]
    # radial deviation from the unit circle is ~ N(0, noise^2) for small noise: E|dev| = noise*sqrt(2/pi)
    dev = np.hypot(upper[:, 0], upper[:, 1]) - 1.0
    assert abs(np.mean(np.abs(dev)) - noise * math.sqrt(2 / math.pi)) < 0.1 * noise
    assert abs(np.mean(dev)) < 0.1 * noise


def test_circles_radii():
    X, y = ds.make_circles(40, noise=0.0, factor=0.3, seed=0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r[y == 0], 1.0, atol=1e-12)
    np.testing.assert_allclose(r[y == 1], 0.3, atol=1e-12)
    # evenly spaced in angle: 20 distinct angles per circle, 18 degrees apart
    angles = np.sort(np.mod(np.arctan2(X[y == 0, 1], X[y == 0, 0]), 2 * np.pi))
    np.testing.assert_allclose(np.diff(angles), 2 * np.pi / 20, atol=1e-12)


@pytest.mark.parametrize("k,turns", [(2, 1.0), (3, 1.5), (5, 0.5)])
def test_spirals_arms_follow_the_formula(k, turns):
    m = 12
    X, y = ds.make_spirals(m * k, n_classes=k, noise=0.0, seed=0, turns=turns)
    for c in range(k):
        P = X[y == c]
        r = np.hypot(P[:, 0], P[:, 1])
        order = np.argsort(r)
        np.testing.assert_allclose(r[order], (np.arange(m) + 1) / m, atol=1e-12)
        theta = np.arctan2(P[order, 1], P[order, 0])
        expected = 2 * np.pi * c / k + 2 * np.pi * turns * r[order]
        wrapped = np.angle(np.exp(1j * (theta - expected)))
        np.testing.assert_allclose(wrapped, 0.0, atol=1e-9)


def test_blobs_with_given_centres_and_stds():
    centers = [[0.0, 0.0, 0.0], [10.0, -5.0, 2.0]]
    X, y = ds.make_blobs(4000, centers=centers, std=[0.5, 2.0], seed=1)
    assert X.shape == (4000, 3)
    for c, s in enumerate([0.5, 2.0]):
        P = X[y == c]
        assert len(P) == 2000
        np.testing.assert_allclose(P.mean(axis=0), centers[c], atol=4 * s / math.sqrt(2000))
        np.testing.assert_allclose(P.std(axis=0), s, rtol=0.06)


def test_blobs_random_centres_lie_in_the_box():
    X, y = ds.make_blobs(300, centers=4, std=0.01, seed=2, n_features=3, box=(2.0, 3.0))
    assert X.shape == (300, 3) and np.bincount(y).tolist() == [75, 75, 75, 75]
    for c in range(4):
        centre = X[y == c].mean(axis=0)
        assert np.all((centre > 1.95) & (centre < 3.05))


@pytest.mark.parametrize("call,exc,words", [
    (lambda: ds.make_moons(0), ValueError, ["make_moons", "n", "0"]),
    (lambda: ds.make_moons(1), ValueError, ["make_moons", "n", "1"]),
    (lambda: ds.make_moons(10.5), TypeError, ["make_moons", "n", "10.5"]),
    (lambda: ds.make_moons(True), TypeError, ["make_moons", "n", "True"]),
    (lambda: ds.make_moons(10, noise=-0.1), ValueError, ["make_moons", "noise", "-0.1"]),
    (lambda: ds.make_moons(10, noise=float("nan")), ValueError, ["noise", "nan"]),
    (lambda: ds.make_moons(10, seed="a"), TypeError, ["make_moons", "seed", "'a'"]),
    (lambda: ds.make_moons(10, seed=-1), TypeError, ["seed", "-1"]),
    (lambda: ds.make_circles(10, factor=1.0), ValueError, ["make_circles", "factor", "1.0"]),
    (lambda: ds.make_circles(10, factor=0), ValueError, ["make_circles", "factor", "0"]),
    (lambda: ds.make_circles(-3), ValueError, ["make_circles", "n", "-3"]),
    (lambda: ds.make_spirals(10, n_classes=1), ValueError, ["make_spirals", "n_classes", "1"]),
    (lambda: ds.make_spirals(2, n_classes=3), ValueError, ["make_spirals", "n", "2"]),
    (lambda: ds.make_spirals(10, turns=0), ValueError, ["make_spirals", "turns", "0"]),
    (lambda: ds.make_blobs(2, centers=3), ValueError, ["make_blobs", "n", "2"]),
    (lambda: ds.make_blobs(10, std=0.0), ValueError, ["make_blobs", "std", "0"]),
    (lambda: ds.make_blobs(10, std=[1.0, 2.0]), ValueError, ["make_blobs", "std", "3"]),
    (lambda: ds.make_blobs(10, centers=[1.0, 2.0]), ValueError, ["make_blobs", "centers", "(2,)"]),
    (lambda: ds.make_blobs(10, centers=0), ValueError, ["make_blobs", "centers", "0"]),
    (lambda: ds.make_blobs(10, box=(1.0, 1.0)), ValueError, ["make_blobs", "box"]),
])
def test_generator_bad_arguments(call, exc, words):
    with pytest.raises(exc) as info:
        call()
    for word in words:
        assert word in str(info.value)


def test_seed_may_be_a_generator():
    a = ds.make_moons(20, seed=np.random.default_rng(7))
    b = ds.make_moons(20, seed=np.random.default_rng(7))
    np.testing.assert_array_equal(a[0], b[0])


# ----------------------------------------------------------------------------- shipped tables

def test_iris_table():
    X, y = ds.load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64 and y.dtype == np.int64
    assert np.bincount(y).tolist() == [50, 50, 50]
    np.testing.assert_array_equal(y, np.repeat([0, 1, 2], 50))
    np.testing.assert_array_equal(X[0], [5.1, 3.5, 1.4, 0.2])
    np.testing.assert_array_equal(X[-1], [5.9, 3.0, 5.1, 1.8])
    # Fisher's values (as in R), not the two erroneous UCI rows
    np.testing.assert_array_equal(X[34], [4.9, 3.1, 1.5, 0.2])
    np.testing.assert_array_equal(X[37], [4.9, 3.6, 1.4, 0.1])
    # the published summary statistics (min, max, mean, sd)
    np.testing.assert_array_equal(X.min(axis=0), [4.3, 2.0, 1.0, 0.1])
    np.testing.assert_array_equal(X.max(axis=0), [7.9, 4.4, 6.9, 2.5])
    np.testing.assert_allclose(X.mean(axis=0), [5.843, 3.057, 3.758, 1.199], atol=5e-4)
    np.testing.assert_allclose(X.std(axis=0, ddof=1), [0.83, 0.43, 1.76, 0.76], atol=1e-2)
    # setosa is linearly separable by petal length alone
    assert X[y == 0, 2].max() < X[y != 0, 2].min()
    assert len(ds.IRIS_FEATURE_NAMES) == 4 and len(ds.IRIS_CLASS_NAMES) == 3


def test_digits_table():
    X, y = ds.load_digits()
    assert X.shape == (1797, 64) and X.dtype == np.float64 and y.dtype == np.int64
    assert X.min() == 0 and X.max() == 16 and np.all(X == np.round(X))
    counts = np.bincount(y)
    assert counts.tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    assert y[:10].tolist() == list(range(10))
    # the first image is a zero: a ring of ink with an empty middle
    img = X[0].reshape(8, 8)
    assert img[3:5, 3:5].sum() == 0 and img[1:7, 1].sum() > 0 and img[1:7, 6].sum() > 0
    # the leftmost column is blank in nearly every image (the constant-pixel case standardize handles)
    assert np.all(X[:, 0] == 0)


def test_shipped_tables_are_copies():
    X, y = ds.load_iris()
    X[:] = 0
    y[:] = 7
    X2, y2 = ds.load_iris()
    assert X2[0, 0] == 5.1 and y2[0] == 0
    D, _ = ds.load_digits()
    D[:] = -1
    assert ds.load_digits()[0].min() == 0


# ----------------------------------------------------------------------------- MNIST IDX files

def _idx_bytes(magic: int, dims: list[int], payload: bytes) -> bytes:
    return struct.pack(">I", magic) + b"".join(struct.pack(">I", d) for d in dims) + payload


def _write_mnist(folder: Path, prefix: str = "train", n: int = 5, rows: int = 28, cols: int = 28,
                 gz: bool = False, dotted: bool = False, seed: int = 0):
    rng = np.random.default_rng(seed)
    pixels = rng.integers(0, 256, size=(n, rows, cols), dtype=np.uint8)
    labels = rng.integers(0, 10, size=n, dtype=np.uint8)
    sep = "." if dotted else "-"
    files = {
        f"{prefix}-images{sep}idx3-ubyte": _idx_bytes(2051, [n, rows, cols], pixels.tobytes()),
        f"{prefix}-labels{sep}idx1-ubyte": _idx_bytes(2049, [n], labels.tobytes()),
    }
    for name, data in files.items():
        if gz:
            (folder / (name + ".gz")).write_bytes(gzip.compress(data))
        else:
            (folder / name).write_bytes(data)
    return pixels, labels


@pytest.mark.parametrize("gz", [False, True])
@pytest.mark.parametrize("dotted", [False, True])
def test_mnist_reads_raw_and_gzipped_files(tmp_path, gz, dotted):
    pixels, labels = _write_mnist(tmp_path, n=7, gz=gz, dotted=dotted)
    X, y = ds.load_mnist(tmp_path)
    assert X.shape == (7, 784) and X.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(X, pixels.reshape(7, 784) / 255.0)
    np.testing.assert_array_equal(y, labels)
    assert 0.0 <= X.min() and X.max() <= 1.0


def test_mnist_test_kind_reads_t10k_files(tmp_path):
    _write_mnist(tmp_path, prefix="train", n=6, seed=1)
    pixels, labels = _write_mnist(tmp_path, prefix="t10k", n=3, seed=2, gz=True)
    X, y = ds.load_mnist(str(tmp_path), kind="test")
    assert X.shape == (3, 784)
    np.testing.assert_array_equal(y, labels)
    assert ds.load_mnist(tmp_path, kind="train")[0].shape == (6, 784)


def test_mnist_missing_file_lists_what_was_looked_for(tmp_path):
    with pytest.raises(FileNotFoundError) as info:
        ds.load_mnist(tmp_path)
    msg = str(info.value)
    assert str(tmp_path) in msg
    for name in ("train-images-idx3-ubyte", "train-images-idx3-ubyte.gz", "train-images.idx3-ubyte"):
        assert name in msg
    # images present but no labels
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_bytes(2051, [1, 2, 2], bytes(4)))
    with pytest.raises(FileNotFoundError, match="train-labels-idx1-ubyte"):
        ds.load_mnist(tmp_path)


def test_mnist_bad_path_and_kind(tmp_path):
    with pytest.raises(FileNotFoundError, match="does not exist"):
        ds.load_mnist(tmp_path / "nowhere")
    f = tmp_path / "file.txt"
    f.write_text("x")
    with pytest.raises(FileNotFoundError, match="not a folder"):
        ds.load_mnist(f)
    with pytest.raises(ValueError, match="kind must be 'train' or 'test', got 'validation'"):
        ds.load_mnist(tmp_path, kind="validation")


@pytest.mark.parametrize("gz", [False, True])
def test_mnist_bad_magic(tmp_path, gz):
    _write_mnist(tmp_path, n=2)
    data = _idx_bytes(2049, [2, 28, 28], bytes(2 * 784))
    name = "train-images-idx3-ubyte"
    (tmp_path / name).unlink()
    if gz:
        (tmp_path / (name + ".gz")).write_bytes(gzip.compress(data))
    else:
        (tmp_path / name).write_bytes(data)
    with pytest.raises(ValueError) as info:
        ds.load_mnist(tmp_path)
    msg = str(info.value)
    assert name in msg and "magic number 2049" in msg and "expected 2051" in msg


def test_mnist_labels_with_image_magic(tmp_path):
    _write_mnist(tmp_path, n=2)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(2051, [2], bytes(2)))
    with pytest.raises(ValueError, match=r"train-labels-idx1-ubyte has magic number 2051, expected 2049"):
        ds.load_mnist(tmp_path)


def test_mnist_truncated_and_overlong_files(tmp_path):
    _write_mnist(tmp_path, n=3)
    path = tmp_path / "train-images-idx3-ubyte"
    full = path.read_bytes()
    path.write_bytes(full[:-10])
    with pytest.raises(ValueError) as info:
        ds.load_mnist(tmp_path)
    msg = str(info.value)
    assert "train-images-idx3-ubyte is truncated" in msg
    assert str(16 + 3 * 784) in msg and str(len(full) - 10) in msg
    path.write_bytes(full + b"\x00")
    with pytest.raises(ValueError, match="longer than its header says"):
        ds.load_mnist(tmp_path)
    path.write_bytes(full[:9])
    with pytest.raises(ValueError, match="16-byte IDX header"):
        ds.load_mnist(tmp_path)


def test_mnist_truncated_gzip_stream(tmp_path):
    _write_mnist(tmp_path, n=3, gz=True)
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-12])
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz.*gzip"):
        ds.load_mnist(tmp_path)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="train-labels-idx1-ubyte.gz"):
        ds.load_mnist(tmp_path)


def test_mnist_count_mismatch(tmp_path):
    _write_mnist(tmp_path, n=4)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(_idx_bytes(2049, [3], bytes([1, 2, 3])))
    with pytest.raises(ValueError) as info:
        ds.load_mnist(tmp_path)
    msg = str(info.value)
    assert "4 images" in msg and "3 labels" in msg and "train-labels-idx1-ubyte" in msg


def test_mnist_zero_size_images(tmp_path):
    _write_mnist(tmp_path, n=2)
    (tmp_path / "train-images-idx3-ubyte").write_bytes(_idx_bytes(2051, [2, 0, 28], b""))
    with pytest.raises(ValueError, match="0x28 pixels"):
        ds.load_mnist(tmp_path)


# ----------------------------------------------------------------------------- train_test_split

def test_split_sizes_partition_and_determinism():
    X = np.arange(20.0).reshape(10, 2)
    y = np.arange(10) % 2
    X_tr, X_te, y_tr, y_te = ds.train_test_split(X, y, test_size=0.3, seed=4)
    assert X_tr.shape == (7, 2) and X_te.shape == (3, 2) and y_tr.shape == (7,) and y_te.shape == (3,)
    rows = np.concatenate([X_tr[:, 0], X_te[:, 0]]) / 2
    assert sorted(rows.tolist()) == list(range(10))          # a partition of the rows
    np.testing.assert_array_equal(y_tr, (X_tr[:, 0] / 2).astype(int) % 2)  # labels stay with their rows
    again = ds.train_test_split(X, y, test_size=0.3, seed=4)
    for a, b in zip((X_tr, X_te, y_tr, y_te), again):
        np.testing.assert_array_equal(a, b)
    other = ds.train_test_split(X, y, test_size=0.3, seed=5)
    assert not np.array_equal(X_te, other[1])
    assert ds.train_test_split(X, y, test_size=4)[1].shape == (4, 2)


def test_split_stratified_keeps_class_proportions():
    y = np.repeat([0, 1, 2], [70, 20, 10])
    X = np.arange(100.0)[:, None]
    X_tr, X_te, y_tr, y_te = ds.train_test_split(X, y, test_size=0.3, seed=0, stratify=True)
    assert np.bincount(y_te).tolist() == [21, 6, 3]
    assert np.bincount(y_tr).tolist() == [49, 14, 7]
    np.testing.assert_array_equal(y_te, y[X_te[:, 0].astype(int)])
    # iris 70/30: 35/15 of each species
    Xi, yi = ds.load_iris()
    _, _, ytr, yte = ds.train_test_split(Xi, yi, test_size=0.3, seed=0, stratify=True)
    assert np.bincount(ytr).tolist() == [35, 35, 35] and np.bincount(yte).tolist() == [15, 15, 15]


@settings(max_examples=60, deadline=None)
@given(counts=st.lists(st.integers(1, 40), min_size=1, max_size=5), frac=st.floats(0.05, 0.95),
       seed=st.integers(0, 1000))
def test_split_stratified_property(counts, frac, seed):
    y = np.repeat(np.arange(len(counts)), counts)
    n = len(y)
    if n < 2:
        return
    X = np.arange(n)[:, None]
    X_tr, X_te, y_tr, y_te = ds.train_test_split(X, y, test_size=frac, seed=seed, stratify=True)
    n_test = min(max(round(frac * n), 1), n - 1)
    assert len(y_te) == n_test and len(y_tr) == n - n_test
    assert sorted(np.concatenate([X_tr[:, 0], X_te[:, 0]]).tolist()) == list(range(n))
    te = np.bincount(y_te, minlength=len(counts))
    for c, count in enumerate(counts):
        assert abs(te[c] - count * n_test / n) < 1.0 + 1e-9


def test_split_keeps_dtypes_and_string_labels():
    X = np.arange(12, dtype=np.int32).reshape(6, 2)
    y = np.array(["a", "b", "a", "b", "a", "b"])
    X_tr, X_te, y_tr, y_te = ds.train_test_split(X, y, test_size=2, stratify=True)
    assert X_tr.dtype == np.int32 and y_te.dtype.kind == "U"
    assert sorted(y_te.tolist()) == ["a", "b"]


@pytest.mark.parametrize("kwargs,exc,words", [
    ({"test_size": 0.0}, ValueError, ["test_size", "0.0"]),
    ({"test_size": 1.0}, ValueError, ["test_size", "1.0"]),
    ({"test_size": 10}, ValueError, ["test_size", "1..9", "10"]),
    ({"test_size": 0}, ValueError, ["test_size", "0"]),
    ({"test_size": "0.3"}, TypeError, ["test_size", "'0.3'"]),
    ({"y": np.zeros(9)}, ValueError, ["y", "(9,)", "10"]),
    ({"X": np.zeros((1, 2)), "y": np.zeros(1)}, ValueError, ["X", "at least 2", "(1, 2)"]),
])
def test_split_bad_arguments(kwargs, exc, words):
    args = {"X": np.zeros((10, 2)), "y": np.zeros(10, dtype=int)}
    args.update(kwargs)
    with pytest.raises(exc) as info:
        ds.train_test_split(**args)
    for word in ["train_test_split", *words]:
        assert word in str(info.value)


# ----------------------------------------------------------------------------- standardize

def test_standardize_uses_training_statistics_only():
    X_tr = np.array([[1.0, 10.0], [3.0, 10.0], [5.0, 10.0]])
    X_te = np.array([[7.0, 12.0], [1.0, 10.0]])
    A, B, mean, std = ds.standardize(X_tr, X_te, return_stats=True)
    np.testing.assert_allclose(mean, [3.0, 10.0])
    np.testing.assert_allclose(std, [math.sqrt(8 / 3), 0.0])
    np.testing.assert_allclose(A[:, 0], np.array([-2.0, 0.0, 2.0]) / math.sqrt(8 / 3))
    np.testing.assert_allclose(B[:, 0], np.array([4.0, -2.0]) / math.sqrt(8 / 3))
    # the column constant in training becomes 0 everywhere, no division by zero
    np.testing.assert_array_equal(A[:, 1], 0.0)
    np.testing.assert_array_equal(B[:, 1], 0.0)
    # inputs untouched; single-argument form returns one array
    assert X_tr[0, 0] == 1.0
    only = ds.standardize(X_tr)
    assert isinstance(only, np.ndarray)
    np.testing.assert_array_equal(only, A)


def test_standardize_digits_has_no_nan_and_unit_variance():
    X, y = ds.load_digits()
    X_tr, X_te, _, _ = ds.train_test_split(X, y, test_size=0.25, seed=0, stratify=True)
    A, B = ds.standardize(X_tr, X_te)
    assert np.all(np.isfinite(A)) and np.all(np.isfinite(B))
    varying = X_tr.std(axis=0) > 0
    assert 0 < (~varying).sum() < 64
    np.testing.assert_allclose(A[:, varying].mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(A[:, varying].std(axis=0), 1.0, atol=1e-12)
    np.testing.assert_array_equal(A[:, ~varying], 0.0)
    np.testing.assert_array_equal(B[:, ~varying], 0.0)


def test_standardize_nearly_constant_float_column_is_treated_as_constant():
    X = np.full((3, 1), 0.1)  # mean is not exactly 0.1 in floating point
    assert np.all(ds.standardize(X) == 0.0)


@pytest.mark.parametrize("args,words", [
    ((np.array([[1.0, np.nan]]),), ["X_train", "nan", "(0, 1)"]),
    ((np.zeros((2, 2)), np.array([[np.inf, 0.0]])), ["X_test", "inf"]),
    ((np.zeros((2, 2)), np.zeros((2, 3))), ["X_test", "3 columns", "2"]),
    ((np.zeros(3),), ["X_train", "2-D", "(3,)"]),
    ((np.zeros((0, 2)),), ["X_train", "(0, 2)"]),
])
def test_standardize_bad_input(args, words):
    with pytest.raises(ValueError) as info:
        ds.standardize(*args)
    for word in ["standardize", *words]:
        assert word in str(info.value)
