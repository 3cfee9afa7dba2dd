"""Toy and classic datasets for training the lectures' networks.

Every generator and loader returns ``(X, y)``: ``X`` a float64 array of shape ``(n, d)`` and ``y``
an int64 array of class labels ``0..K-1``. Generators are plain numpy, seeded with
``numpy.random.default_rng(seed)``, so the same arguments always give the same data.

- :func:`xor`: the 4 XOR points.
- :func:`make_moons`, :func:`make_circles`, :func:`make_spirals`, :func:`make_blobs`: 2-D toy problems.
- :func:`load_iris`, :func:`load_digits`: small real tables shipped inside the package
  (see ``nn/datafiles/README.md`` for their origin and license).
- :func:`load_mnist`: reads the standard MNIST IDX files from a local folder.
- :func:`train_test_split`, :func:`standardize`: the usual preprocessing.

>>> X, y = make_moons(100, noise=0.1, seed=0)
>>> X.shape, X.dtype.name, y.dtype.name, sorted(set(y.tolist()))
((100, 2), 'float64', 'int64', [0, 1])
"""

from __future__ import annotations

import gzip
import math
import numbers
import zlib
from collections.abc import Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "xor", "make_moons", "make_circles", "make_spirals", "make_blobs",
    "load_iris", "load_digits", "load_mnist", "train_test_split", "standardize",
    "IRIS_FEATURE_NAMES", "IRIS_CLASS_NAMES",
]

Seed = int | np.random.Generator | None

IRIS_FEATURE_NAMES = ("sepal length (cm)", "sepal width (cm)", "petal length (cm)", "petal width (cm)")
IRIS_CLASS_NAMES = ("setosa", "versicolor", "virginica")


# ----------------------------------------------------------------------------- argument checks

def _check_int(func: str, name: str, value: Any, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{func}: {name} must be an integer >= {minimum}, got {value!r}")
    if value < minimum:
        raise ValueError(f"{func}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _check_real(func: str, name: str, value: Any, minimum: float = 0.0, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{func}: {name} must be a real number, got {value!r}")
    value = float(value)
    if not math.isfinite(value) or value < minimum or (strict and value == minimum):
        relation = ">" if strict else ">="
        raise ValueError(f"{func}: {name} must be a finite number {relation} {minimum:g}, got {value!r}")
    return value


def _rng(func: str, seed: Seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        return np.random.default_rng()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral) or seed < 0:
        raise TypeError(f"{func}: seed must be a non-negative integer (or a numpy Generator), got {seed!r}")
    return np.random.default_rng(int(seed))


def _split_counts(n: int, k: int) -> list[int]:
    """n items over k groups as evenly as possible (the first n % k groups get one more)."""
    return [n // k + (1 if i < n % k else 0) for i in range(k)]


def _finish(X: np.ndarray, y: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    order = rng.permutation(len(y))
    return np.ascontiguousarray(X[order], dtype=np.float64), np.ascontiguousarray(y[order], dtype=np.int64)


# ----------------------------------------------------------------------------- generators

def xor() -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table: ``X = [[0,0],[0,1],[1,0],[1,1]]``, ``y = [0,1,1,0]``.

    The classic problem a single neuron cannot solve (the classes are not linearly separable).
    """
    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([0, 1, 1, 0], dtype=np.int64)
    return X, y


def make_moons(n: int, noise: float = 0.1, seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles in 2-D (micrograd's demo problem).

    Class 0 is the upper moon (unit half circle centred at (0, 0)), class 1 the lower moon
    (centred at (1, 0.5), opening upwards). ``n`` points are split as evenly as possible
    (class 0 gets the odd one), Gaussian noise of standard deviation ``noise`` is added to both
    coordinates, and the rows are shuffled.

    Args:
        n: number of points, >= 2.
        noise: standard deviation of the Gaussian noise, >= 0.
        seed: seed for ``numpy.random.default_rng`` (or a Generator).
    """
    n = _check_int("make_moons", "n", n, 2)
    noise = _check_real("make_moons", "noise", noise)
    rng = _rng("make_moons", seed)
    n0, n1 = _split_counts(n, 2)
    t0 = np.linspace(0.0, np.pi, n0)
    t1 = np.linspace(0.0, np.pi, n1)
    upper = np.column_stack([np.cos(t0), np.sin(t0)])
    lower = np.column_stack([1.0 - np.cos(t1), 0.5 - np.sin(t1)])
    X = np.vstack([upper, lower]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n0, n1])
    return _finish(X, y, rng)


def make_circles(n: int, noise: float = 0.05, factor: float = 0.5,
                 seed: Seed = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles in 2-D: class 0 on the unit circle, class 1 on radius ``factor``.

    Points are evenly spaced in angle on each circle, Gaussian noise of standard deviation
    ``noise`` is added, and the rows are shuffled.

    Args:
        n: number of points, >= 2 (class 0 gets the odd one).
        noise: standard deviation of the Gaussian noise, >= 0.
        factor: radius of the inner circle, 0 < factor < 1.
        seed: seed for ``numpy.random.default_rng`` (or a Generator).
    """
    n = _check_int("make_circles", "n", n, 2)
    noise = _check_real("make_circles", "noise", noise)
    factor = _check_real("make_circles", "factor", factor, strict=True)
    if factor >= 1.0:
        raise ValueError(f"make_circles: factor must be in (0, 1), got {factor!r}")
    rng = _rng("make_circles", seed)
    n0, n1 = _split_counts(n, 2)
    t0 = np.linspace(0.0, 2.0 * np.pi, n0, endpoint=False)
    t1 = np.linspace(0.0, 2.0 * np.pi, n1, endpoint=False)
    outer = np.column_stack([np.cos(t0), np.sin(t0)])
    inner = factor * np.column_stack([np.cos(t1), np.sin(t1)])
    X = np.vstack([outer, inner]) + noise * rng.standard_normal((n, 2))
    y = np.repeat([0, 1], [n0, n1])
    return _finish(X, y, rng)


def make_spirals(n: int, n_classes: int = 2, noise: float = 0.05, seed: Seed = 0, *,
                 turns: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """``n_classes`` interleaved spiral arms in 2-D, one arm per class.

    Point ``i`` of arm ``k`` (of ``m`` points) sits at radius ``r = (i + 1) / m`` and angle
    ``2πk/K + 2π·turns·r``, so the arms start near the origin, are rotated copies of each other and
    reach radius 1. Gaussian noise of standard deviation ``noise`` is added and rows are shuffled.

    Args:
        n: total number of points, >= n_classes (split as evenly as possible).
        n_classes: number of arms/classes K, >= 2.
        noise: standard deviation of the Gaussian noise, >= 0.
        seed: seed for ``numpy.random.default_rng`` (or a Generator).
        turns: how many full turns each arm makes, > 0 (more turns: a harder problem).
    """
    n_classes = _check_int("make_spirals", "n_classes", n_classes, 2)
    n = _check_int("make_spirals", "n", n, n_classes)
    noise = _check_real("make_spirals", "noise", noise)
    turns = _check_real("make_spirals", "turns", turns, strict=True)
    rng = _rng("make_spirals", seed)
    counts = _split_counts(n, n_classes)
    parts = []
    for k, m in enumerate(counts):
        r = (np.arange(m) + 1.0) / m
        theta = 2.0 * np.pi * k / n_classes + 2.0 * np.pi * turns * r
        parts.append(r[:, None] * np.column_stack([np.cos(theta), np.sin(theta)]))
    X = np.vstack(parts) + noise * rng.standard_normal((n, 2))
    y = np.repeat(np.arange(n_classes), counts)
    return _finish(X, y, rng)


def make_blobs(n: int, centers: int | Sequence[Sequence[float]] | np.ndarray = 3,
               std: float | Sequence[float] = 1.0, seed: Seed = 0, *,
               n_features: int = 2,
               box: tuple[float, float] = (-10.0, 10.0)) -> tuple[np.ndarray, np.ndarray]:
    """Isotropic Gaussian blobs, one class per centre.

    Args:
        n: total number of points, >= number of centres (split as evenly as possible).
        centers: an int K (K centres drawn uniformly in ``box`` in ``n_features`` dimensions, from
            the same seeded generator) or an array of shape (K, d) of centres.
        std: standard deviation of every blob, or one per centre; each > 0.
        seed: seed for ``numpy.random.default_rng`` (or a Generator).
        n_features: dimension d when ``centers`` is an int.
        box: (low, high) bounds for random centres.
    """
    rng = _rng("make_blobs", seed)
    if isinstance(centers, numbers.Integral) and not isinstance(centers, bool):
        k = _check_int("make_blobs", "centers", centers, 1)
        d = _check_int("make_blobs", "n_features", n_features, 1)
        low = _check_real("make_blobs", "box[0]", box[0], minimum=-math.inf)
        high = _check_real("make_blobs", "box[1]", box[1], minimum=-math.inf)
        if not low < high:
            raise ValueError(f"make_blobs: box must be (low, high) with low < high, got {box!r}")
        C = rng.uniform(low, high, size=(k, d))
    else:
        try:
            C = np.asarray(centers, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise TypeError(f"make_blobs: centers must be an int or an array of shape (K, d), "
                            f"got {centers!r}") from exc
        if C.ndim != 2 or C.shape[0] < 1 or C.shape[1] < 1 or not np.all(np.isfinite(C)):
            raise ValueError(f"make_blobs: centers must be a finite array of shape (K, d), got shape "
                             f"{C.shape} ({centers!r})")
        k, d = C.shape
    n = _check_int("make_blobs", "n", n, k)
    if isinstance(std, numbers.Real) and not isinstance(std, bool):
        stds = np.full(k, _check_real("make_blobs", "std", std, strict=True))
    else:
        stds = np.asarray(std, dtype=np.float64)
        if stds.shape != (k,):
            raise ValueError(f"make_blobs: std must be a number or one per centre ({k}), got {std!r}")
        for s in stds:
            _check_real("make_blobs", "std", float(s), strict=True)
    counts = _split_counts(n, k)
    y = np.repeat(np.arange(k), counts)
    X = C[y] + stds[y][:, None] * rng.standard_normal((n, d))
    return _finish(X, y, rng)


# ----------------------------------------------------------------------------- shipped data

def _data_file(name: str) -> Any:
    return resources.files("nn").joinpath("datafiles", name)


@cache
def _iris() -> tuple[np.ndarray, np.ndarray]:
    source = _data_file("iris.csv")
    try:
        lines = source.read_text(encoding="ascii").splitlines()
        rows = np.array([[float(v) for v in line.split(",")] for line in lines[1:] if line.strip()])
    except (OSError, ValueError) as exc:
        raise RuntimeError(f"load_iris: cannot read the shipped file {source}: {exc}") from exc
    if rows.shape != (150, 5):
        raise RuntimeError(f"load_iris: shipped file {source} should hold 150 rows of 4 features and a "
                           f"label, found shape {rows.shape}")
    X, y = rows[:, :4], rows[:, 4].astype(np.int64)
    if not np.array_equal(np.bincount(y, minlength=3), [50, 50, 50]):
        raise RuntimeError(f"load_iris: shipped file {source} should hold 50 samples of each of 3 "
                           f"classes, found {np.bincount(y).tolist()}")
    return X, y


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's Iris table (150 flowers, 4 measurements in cm, 3 species), shipped with the package.

    Returns ``X`` (150, 4) float64 with columns :data:`IRIS_FEATURE_NAMES` and ``y`` (150,) int64 in
    0..2 (:data:`IRIS_CLASS_NAMES`), 50 samples per class, in the original order (sorted by class;
    use :func:`train_test_split` to shuffle). Source and license: ``nn/datafiles/README.md``.
    """
    X, y = _iris()
    return X.copy(), y.copy()


@cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    source = _data_file("digits.csv.gz")
    try:
        text = gzip.decompress(source.read_bytes()).decode("ascii")
        rows = np.array([[int(v) for v in line.split(",")] for line in text.splitlines() if line.strip()],
                        dtype=np.int64)
    except (OSError, ValueError, EOFError, zlib.error) as exc:
        raise RuntimeError(f"load_digits: cannot read the shipped file {source}: {exc}") from exc
    if rows.shape != (1797, 65):
        raise RuntimeError(f"load_digits: shipped file {source} should hold 1797 rows of 64 pixels and a "
                           f"label, found shape {rows.shape}")
    X, y = rows[:, :64].astype(np.float64), rows[:, 64]
    if X.min() < 0 or X.max() > 16 or y.min() < 0 or y.max() > 9:
        raise RuntimeError(f"load_digits: shipped file {source} has pixels outside 0..16 or labels "
                           f"outside 0..9")
    return X, y


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """The UCI optical-recognition handwritten digits, 8x8 test set (1,797 images), shipped with the package.

    Returns ``X`` (1797, 64) float64 with integer pixel counts 0..16 (row-major 8x8 images:
    ``X[i].reshape(8, 8)``) and ``y`` (1797,) int64 digit labels 0..9 (about 180 each).
    Scale with ``X / 16`` or :func:`standardize`. Source and license: ``nn/datafiles/README.md``.
    """
    X, y = _digits()
    return X.copy(), y.copy()


# ----------------------------------------------------------------------------- MNIST (IDX files)

_IDX_IMAGES_MAGIC = 2051  # 0x00000803: unsigned bytes, 3 dimensions
_IDX_LABELS_MAGIC = 2049  # 0x00000801: unsigned bytes, 1 dimension
_MNIST_PREFIX = {"train": "train", "test": "t10k"}


def _idx_candidates(folder: Path, prefix: str, what: str) -> list[Path]:
    # what: "images-idx3" / "labels-idx1"; standard name first, then the dotted variant.
    kind, dims = what.split("-")
    names = [f"{prefix}-{kind}-{dims}-ubyte", f"{prefix}-{kind}.{dims}-ubyte"]
    return [folder / (name + ext) for name in names for ext in ("", ".gz")]


def _read_idx(candidates: list[Path], magic: int, ndim: int) -> tuple[Path, np.ndarray]:
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        looked = ", ".join(p.name for p in candidates)
        raise FileNotFoundError(f"load_mnist: no {'image' if ndim == 3 else 'label'} file in "
                                f"{candidates[0].parent}; looked for: {looked}")
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error, gzip.BadGzipFile) as exc:
        raise ValueError(f"load_mnist: cannot read {path}: {exc} "
                         f"(expected a gzip-compressed IDX file)") from exc
    header = 4 + 4 * ndim
    if len(raw) < header:
        raise ValueError(f"load_mnist: {path} is truncated: {len(raw)} bytes, expected at least the "
                         f"{header}-byte IDX header")
    found_magic = int.from_bytes(raw[:4], "big")
    if found_magic != magic:
        raise ValueError(f"load_mnist: {path} has magic number {found_magic}, expected {magic} "
                         f"({'images: ubyte, 3 dims' if ndim == 3 else 'labels: ubyte, 1 dim'})")
    dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
    if ndim == 3 and (dims[1] == 0 or dims[2] == 0):
        raise ValueError(f"load_mnist: {path} declares images of {dims[1]}x{dims[2]} pixels, "
                         f"expected positive sizes (28x28 for MNIST)")
    expected = header + math.prod(dims)
    if len(raw) != expected:
        state = "truncated" if len(raw) < expected else "longer than its header says"
        raise ValueError(f"load_mnist: {path} is {state}: header declares dimensions {dims}, so "
                         f"{expected} bytes expected, found {len(raw)}")
    data = np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(dims)
    return path, data


def load_mnist(path: str | Path, kind: str = "train") -> tuple[np.ndarray, np.ndarray]:
    """Read MNIST (or any dataset in the same IDX format) from a local folder.

    Looks in ``path`` for ``train-images-idx3-ubyte`` and ``train-labels-idx1-ubyte`` (kind="train")
    or ``t10k-images-idx3-ubyte`` and ``t10k-labels-idx1-ubyte`` (kind="test"), each either raw or
    gzipped (``.gz``); the dotted variant ``train-images.idx3-ubyte`` is accepted too. Nothing is
    downloaded. Magic numbers (2051 images, 2049 labels), dimensions, file lengths and the
    image/label counts are checked; every problem raises an error naming the file.

    Returns ``X`` float64 of shape (n, rows*cols) = (n, 784) for MNIST, pixels scaled to [0, 1], and
    ``y`` int64 of shape (n,).
    """
    if kind not in _MNIST_PREFIX:
        raise ValueError(f"load_mnist: kind must be 'train' or 'test', got {kind!r}")
    folder = Path(path).expanduser()
    if not folder.is_dir():
        raise FileNotFoundError(f"load_mnist: path must be a folder holding the MNIST IDX files, "
                                f"got {str(path)!r} "
                                f"({'not a folder' if folder.exists() else 'does not exist'})")
    prefix = _MNIST_PREFIX[kind]
    image_path, images = _read_idx(_idx_candidates(folder, prefix, "images-idx3"), _IDX_IMAGES_MAGIC, 3)
    label_path, labels = _read_idx(_idx_candidates(folder, prefix, "labels-idx1"), _IDX_LABELS_MAGIC, 1)
    if images.shape[0] != labels.shape[0]:
        raise ValueError(f"load_mnist: {image_path.name} holds {images.shape[0]} images but "
                         f"{label_path.name} holds {labels.shape[0]} labels; expected the same count")
    if labels.size and labels.max() > 9:
        i = int(np.argmax(labels > 9))
        raise ValueError(f"load_mnist: {label_path.name} holds label {int(labels[i])} at index {i}; "
                         "expected digits 0..9")
    X = images.reshape(images.shape[0], -1).astype(np.float64)
    X /= 255.0  # in place: the training set is 60,000 x 784 float64 (376 MB)
    return X, labels.astype(np.int64)


# ----------------------------------------------------------------------------- preprocessing

def _as_2d(func: str, name: str, X: Any) -> np.ndarray:
    try:
        A = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError(f"{func}: {name} must be a 2-D array of numbers, got {type(X).__name__}") from exc
    if A.ndim != 2 or A.shape[0] == 0:
        raise ValueError(f"{func}: {name} must be a non-empty 2-D array (n, d), got shape {A.shape}")
    if not np.all(np.isfinite(A)):
        bad = tuple(int(i) for i in np.argwhere(~np.isfinite(A))[0])
        raise ValueError(f"{func}: {name} contains a non-finite value {A[bad]!r} at index {bad}")
    return A


def _as_labels(func: str, y: Any, n: int) -> np.ndarray:
    labels = np.asarray(y)
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ValueError(f"{func}: y must be a 1-D array with one label per row of X ({n}), got shape "
                         f"{labels.shape}")
    return labels


def train_test_split(X: Any, y: Any, test_size: float | int = 0.3, seed: Seed = 0,
                     stratify: bool = False) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle and split ``(X, y)`` into ``(X_train, X_test, y_train, y_test)``.

    Args:
        X: array of shape (n, ...), n >= 2 (rows are the examples; dtype kept).
        y: array of shape (n,) of labels (dtype kept).
        test_size: fraction of the examples in (0, 1), rounded to the nearest count, or an int count;
            either way at least 1 example goes to each side.
        seed: seed for ``numpy.random.default_rng`` (or a Generator).
        stratify: keep each class's proportion in both parts: the test count is shared among
            classes by largest remainder, so every class gets ``round(count_c * test_fraction)`` up to
            one example, and the total is exact.
    """
    func = "train_test_split"
    Xa = np.asarray(X)
    if Xa.ndim < 1 or Xa.shape[0] < 2:
        raise ValueError(f"{func}: X must hold at least 2 examples (rows), got shape {Xa.shape}")
    n = Xa.shape[0]
    ya = _as_labels(func, y, n)
    if isinstance(test_size, bool) or not isinstance(test_size, numbers.Real):
        raise TypeError(f"{func}: test_size must be a fraction in (0, 1) or an int count, got {test_size!r}")
    if isinstance(test_size, numbers.Integral):
        n_test = int(test_size)
        if not 1 <= n_test <= n - 1:
            raise ValueError(f"{func}: test_size as a count must be in 1..{n - 1} for {n} examples, "
                             f"got {test_size!r}")
    else:
        frac = float(test_size)
        if not 0.0 < frac < 1.0:
            raise ValueError(f"{func}: test_size as a fraction must be in (0, 1), got {test_size!r}")
        n_test = min(max(round(frac * n), 1), n - 1)
    rng = _rng(func, seed)
    if not stratify:
        order = rng.permutation(n)
        test_idx, train_idx = order[:n_test], order[n_test:]
    else:
        classes, inverse, counts = np.unique(ya, return_inverse=True, return_counts=True)
        ideal = counts * (n_test / n)
        take = np.floor(ideal).astype(np.int64)
        remainder = n_test - int(take.sum())
        # Largest fractional parts first; ties go to the larger class, then the lower label.
        ranking = sorted(range(len(classes)), key=lambda c: (-(ideal[c] - take[c]), -counts[c], c))
        for c in ranking[:remainder]:
            take[c] += 1
        test_parts, train_parts = [], []
        for c in range(len(classes)):
            members = rng.permutation(np.flatnonzero(inverse == c))
            test_parts.append(members[:take[c]])
            train_parts.append(members[take[c]:])
        test_idx = rng.permutation(np.concatenate(test_parts))
        train_idx = rng.permutation(np.concatenate(train_parts))
    return Xa[train_idx], Xa[test_idx], ya[train_idx], ya[test_idx]


def standardize(X_train: Any, X_test: Any = None, *, return_stats: bool = False) -> Any:
    """Scale columns to zero mean and unit variance using the TRAINING statistics only.

    ``mean`` and ``std`` (population std, ddof=0) come from ``X_train`` and are applied to both
    arrays, so nothing about the test set leaks into training. A column that is constant in
    ``X_train`` (std ~ 0, e.g. the always-blank border pixels of the digits) carries no information
    to learn from: it becomes 0 in both outputs instead of dividing by zero.

    Returns ``X_train_std`` alone, or ``(X_train_std, X_test_std)`` when ``X_test`` is given; with
    ``return_stats=True`` the ``mean`` and ``std`` arrays (shape (d,), std 0 for constant columns)
    are appended to that tuple.
    """
    func = "standardize"
    A = _as_2d(func, "X_train", X_train)
    mean = A.mean(axis=0)
    std = A.std(axis=0)
    constant = std <= 1e-12 * np.maximum(1.0, np.abs(mean))
    std = np.where(constant, 0.0, std)
    scale = np.where(constant, 1.0, std)

    def apply(M: np.ndarray) -> np.ndarray:
        out = (M - mean) / scale
        out[:, constant] = 0.0
        return out

    result: list[np.ndarray] = [apply(A)]
    if X_test is not None:
        B = _as_2d(func, "X_test", X_test)
        if B.shape[1] != A.shape[1]:
            raise ValueError(f"{func}: X_test has {B.shape[1]} columns but X_train has {A.shape[1]}")
        result.append(apply(B))
    if return_stats:
        return (*result, mean, std)
    return result[0] if len(result) == 1 else tuple(result)
