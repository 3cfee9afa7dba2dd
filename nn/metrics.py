"""Classification metrics on label arrays.

>>> accuracy([0, 1, 1, 0], [0, 1, 0, 0])
0.75
>>> confusion_matrix([0, 1, 1, 0], [0, 1, 0, 0]).tolist()
[[2, 0], [1, 1]]
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["accuracy", "confusion_matrix"]


def _labels(a, what: str) -> np.ndarray:
    arr = np.asarray(a)
    if arr.ndim != 1:
        raise ValueError(f"{what}: expected a 1-D array of class labels, got shape {arr.shape}")
    if arr.dtype.kind not in "iub":
        if arr.dtype.kind != "f" or not np.all(np.isfinite(arr)) or np.any(arr != np.round(arr)):
            raise ValueError(f"{what}: class labels must be integers, got dtype {arr.dtype} "
                             f"(e.g. {arr[:3].tolist()!r})")
    return arr.astype(np.int64)


def accuracy(y_true: ArrayLike, y_pred: ArrayLike) -> float:
    """The fraction of examples whose predicted label equals the true one."""
    t, p = _labels(y_true, "accuracy(y_true)"), _labels(y_pred, "accuracy(y_pred)")
    if len(t) != len(p):
        raise ValueError(f"accuracy: y_true has {len(t)} labels but y_pred has {len(p)}")
    if len(t) == 0:
        raise ValueError("accuracy: no labels (empty arrays)")
    return float(np.mean(t == p))


def confusion_matrix(y_true: ArrayLike, y_pred: ArrayLike, n_classes: int | None = None) -> np.ndarray:
    """Counts ``C[i, j]`` of examples of true class i predicted as class j (int64, K x K).

    ``n_classes`` defaults to 1 + the largest label seen.
    """
    t, p = _labels(y_true, "confusion_matrix(y_true)"), _labels(y_pred, "confusion_matrix(y_pred)")
    if len(t) != len(p):
        raise ValueError(f"confusion_matrix: y_true has {len(t)} labels but y_pred has {len(p)}")
    if len(t) and (t.min() < 0 or p.min() < 0):
        raise ValueError("confusion_matrix: class labels must be >= 0")
    k = int(max(t.max(initial=-1), p.max(initial=-1)) + 1) if n_classes is None else n_classes
    if isinstance(k, bool) or not isinstance(k, numbers.Integral) or k < 1:
        raise ValueError(f"confusion_matrix: n_classes must be a positive integer, got {n_classes!r}")
    if len(t) and max(t.max(), p.max()) >= k:
        raise ValueError(f"confusion_matrix: a label {max(t.max(), p.max())} is >= n_classes={k}")
    out = np.zeros((k, k), dtype=np.int64)
    np.add.at(out, (t, p), 1)
    return out
