"""Edge cases of nn found in review: divergence, a foreign optimizer, refused steps, files, pickling."""

from __future__ import annotations

import gzip
import pickle
import struct

import numpy as np
import pytest

import nn
from autograd_lite import Value


@pytest.mark.parametrize("engine", ["eager", "compiled"])
def test_a_diverging_fit_says_so_and_names_the_learning_rate(engine):
    X, y = nn.datasets.make_moons(50, seed=0)
    model = nn.MLP(2, [8, 1], activation="relu", seed=0)
    with pytest.raises(FloatingPointError, match=r"training diverged at epoch \d+ \(lr = 100000\).*lower the "
                                                 r"learning rate"):
        nn.fit(model, X, y, optimizer=nn.SGD(model.parameters(), lr=1e5), epochs=30, progress=False,
               engine=engine)


@pytest.mark.parametrize("engine", ["eager", "compiled"])
def test_fit_refuses_an_optimizer_over_another_models_parameters(engine):
    X, y = nn.datasets.xor()
    model, other = nn.MLP(2, [2, 1], seed=0), nn.MLP(2, [2, 1], seed=1)
    before = [p.data for p in model.parameters()]
    with pytest.raises(ValueError, match=r"fit\(optimizer\): it holds 'layers.0.neurons.0.w.0', which is "
                                         r"not a parameter of the model"):
        nn.fit(model, X, y, optimizer=nn.SGD(other.parameters(), lr=0.1), epochs=1, progress=False,
               engine=engine)
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize("make, huge", [(lambda ps: nn.SGD(ps, lr=10.0, momentum=0.9), 1e308),
                                        (lambda ps: nn.Adam(ps, lr=1.0), 1e200)])
def test_a_refused_step_changes_neither_weights_nor_optimizer_state(make, huge):
    ps = [Value(1.0), Value(2.0)]
    opt = make(ps)
    opt.step(grads=[0.5, -0.5])
    state = {k: np.copy(v) for k, v in vars(opt).items() if isinstance(v, np.ndarray)}
    weights, steps = [p.data for p in ps], opt.steps
    with pytest.raises(ValueError, match="not finite"):      # SGD: the new weight; Adam: its state v = g²
        opt.step(grads=[huge, 0.0])
    assert [p.data for p in ps] == weights and opt.steps == steps
    assert all(np.array_equal(getattr(opt, k), v) for k, v in state.items())


def test_save_to_a_folder_is_refused_by_name(tmp_path):
    with pytest.raises(IsADirectoryError, match="that is a folder"):
        nn.MLP(2, [1], seed=0).save(tmp_path)


def test_load_of_deeply_nested_json_is_a_model_file_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(nn.ModelFileError, match="nested too deeply"):
        nn.MLP.load(path)


def test_models_pickle_and_keep_their_outputs():
    model = nn.MLP(3, [4, 2], activation="tanh", seed=0)
    X = np.random.default_rng(0).normal(size=(5, 3))
    expected = model.predict(X)
    clone = pickle.loads(pickle.dumps(model))
    assert np.array_equal(clone.predict(X), expected)


def test_load_mnist_refuses_labels_that_are_not_digits(tmp_path):
    n = 3
    images = struct.pack(">IIII", 2051, n, 28, 28) + bytes(n * 784)
    labels = struct.pack(">II", 2049, n) + bytes([1, 11, 2])
    (tmp_path / "train-images-idx3-ubyte").write_bytes(images)
    with gzip.open(tmp_path / "train-labels-idx1-ubyte.gz", "wb") as f:
        f.write(labels)
    with pytest.raises(ValueError, match=r"holds label 11 at index 1; expected digits 0..9"):
        nn.datasets.load_mnist(tmp_path)
