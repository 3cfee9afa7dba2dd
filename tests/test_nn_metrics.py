"""nn.metrics: accuracy and confusion matrix against hand counts."""

from __future__ import annotations

import numpy as np
import pytest

from nn.metrics import accuracy, confusion_matrix


def test_accuracy():
    assert accuracy([0, 1, 2, 2], [0, 2, 2, 1]) == 0.5
    assert accuracy(np.array([1.0, 0.0]), [1, 0]) == 1.0
    with pytest.raises(ValueError, match="y_true has 2 labels but y_pred has 3"):
        accuracy([0, 1], [0, 1, 1])
    with pytest.raises(ValueError, match="class labels must be integers"):
        accuracy([0.5, 1], [0, 1])
    with pytest.raises(ValueError, match="empty"):
        accuracy([], [])


def test_confusion_matrix():
    t = [0, 0, 1, 1, 1, 2]
    p = [0, 1, 1, 1, 2, 0]
    cm = confusion_matrix(t, p)
    assert cm.tolist() == [[1, 1, 0], [0, 2, 1], [1, 0, 0]]
    assert cm.sum() == len(t) and np.trace(cm) / len(t) == accuracy(t, p)
    assert confusion_matrix([0, 1], [0, 1], n_classes=4).shape == (4, 4)
    with pytest.raises(ValueError, match="a label 2 is >= n_classes=2"):
        confusion_matrix([0, 2], [0, 1], n_classes=2)
    with pytest.raises(ValueError, match="labels must be >= 0"):
        confusion_matrix([0, -1], [0, 1])
