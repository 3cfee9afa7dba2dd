"""nn.data.batches: every example once per epoch, seeded shuffles, bad arguments."""

from __future__ import annotations

import numpy as np
import pytest

from nn.data import batches

X = np.arange(20.0).reshape(10, 2)
Y = np.arange(10)


def test_every_example_once_in_batches_of_the_given_size():
    got = list(batches(X, Y, 3, seed=1))
    assert [len(yb) for _, yb in got] == [3, 3, 3, 1]
    order = np.concatenate([yb for _, yb in got])
    assert sorted(order.tolist()) == list(range(10))
    assert order.tolist() != list(range(10))  # shuffled
    for xb, yb in got:
        np.testing.assert_array_equal(xb, X[yb])  # rows stay with their labels


def test_no_shuffle_keeps_order_and_seeds_reproduce():
    assert [yb.tolist() for _, yb in batches(X, Y, 4, shuffle=False)] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    a = [yb.tolist() for _, yb in batches(X, Y, 4, seed=3)]
    b = [yb.tolist() for _, yb in batches(X, Y, 4, seed=3)]
    assert a == b
    rng = np.random.default_rng(0)
    e1 = [yb.tolist() for _, yb in batches(X, Y, 10, seed=rng)]
    e2 = [yb.tolist() for _, yb in batches(X, Y, 10, seed=rng)]
    assert e1 != e2 and sorted(e1[0]) == sorted(e2[0])  # a new order each epoch from one Generator


@pytest.mark.parametrize("bs", [0, -1, 2.5, True])
def test_bad_batch_size(bs):
    with pytest.raises(ValueError, match=f"batch_size must be a positive integer, got {bs!r}"):
        list(batches(X, Y, bs))


def test_empty_or_mismatched():
    with pytest.raises(ValueError, match="dataset is empty"):
        list(batches(np.zeros((0, 2)), np.zeros(0), 2))
    with pytest.raises(ValueError, match="X has 10 examples but y has 9"):
        list(batches(X, Y[:9], 2))
