"""Mini-batches, as the lectures' SGD loop takes them.

Each epoch visits every example exactly once: the indices are shuffled (or not)
and cut into consecutive batches of ``batch_size``; the last batch holds the rest.

>>> import numpy as np
>>> X = np.arange(10.0).reshape(5, 2); y = np.arange(5)
>>> [yb.tolist() for _, yb in batches(X, y, 2, shuffle=False)]
[[0, 1], [2, 3], [4]]
"""

from __future__ import annotations

import numbers
from collections.abc import Iterator

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["batches"]


def batches(X: ArrayLike, y: ArrayLike, batch_size: int, shuffle: bool = True,
            seed: int | np.random.Generator = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(X_batch, y_batch)`` covering every example once, in random order if ``shuffle``.

    ``seed`` is an int or a numpy Generator; pass the same Generator every epoch to get
    a new order each epoch that is still reproducible (``nn.fit`` does this).
    """
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral) or batch_size <= 0:
        raise ValueError(f"batches: batch_size must be a positive integer, got {batch_size!r}")
    X = np.asarray(X)
    y = np.asarray(y)
    if len(X) == 0:
        raise ValueError("batches: the dataset is empty (0 examples)")
    if len(X) != len(y):
        raise ValueError(f"batches: X has {len(X)} examples but y has {len(y)}")
    n = len(X)
    if shuffle:
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        order = rng.permutation(n)
    else:
        order = np.arange(n)
    for start in range(0, n, int(batch_size)):
        idx = order[start:start + int(batch_size)]
        yield X[idx], y[idx]
