"""nn.Neuron / Layer / MLP: values, names, scopes, inits, seeds, bad input, predict, to_torch."""

from __future__ import annotations

import math

import numpy as np
import pytest

import nn
from autograd_lite import Value, backward_order
from nn.layers import LEAKY_SLOPE


def _np_forward(model: nn.MLP, x: np.ndarray) -> np.ndarray:
    """The same network in numpy, read from the parameters."""
    acts = {"linear": lambda z: z, "sigmoid": lambda z: 1 / (1 + np.exp(-z)), "tanh": np.tanh,
            "relu": lambda z: np.maximum(z, 0), "leaky_relu": lambda z: np.where(z > 0, z, LEAKY_SLOPE * z),
            "softmax": lambda z: np.exp(z - z.max()) / np.exp(z - z.max()).sum()}
    a = np.asarray(x, dtype=float)
    for layer in model.layers:
        W = np.array([[w.data for w in n.w] for n in layer.neurons])
        b = np.array([n.b.data for n in layer.neurons])
        a = acts[layer.activation](W @ a + b)
    return a


def test_parameter_names_order_labels_and_scopes():
    m = nn.MLP(2, [3, 1], seed=0)
    names = [n for n, _ in m.named_parameters()]
    assert len(names) == 2 * 3 + 3 + 3 * 1 + 1 == m.n_parameters()
    assert names[:4] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b",
                         "layers.0.neurons.1.w.0"]
    assert names[-1] == "layers.1.neurons.0.b"
    for name, p in m.named_parameters():
        assert p.label == name
        assert p.is_leaf()
        assert p.scope == name.rsplit(".", 2 if ".w." in name else 1)[0]
    assert m.parameters() == [p for _, p in m.named_parameters()]
    assert list(m.state_dict()) == names


def test_neuron_is_one_nary_sum_then_activation():
    n = nn.Neuron(3, activation="tanh", rng=5)
    x = [0.5, -1.0, 2.0]
    a = n(x)
    assert a.op == "tanh"
    (z,) = a.parents
    assert z.op == "sum" and len(z.parents) == 4
    assert z.parents[-1] is n.b
    assert [p.op for p in z.parents[:3]] == ["mul"] * 3
    expected = math.tanh(sum(w.data * xi for w, xi in zip(n.w, x)) + n.b.data)
    assert a.data == pytest.approx(expected, abs=1e-15)


def test_forward_nodes_are_tagged_with_module_names():
    m = nn.MLP(2, [2, 2], seed=1)
    out = m([0.3, -0.7])
    assert [o.scope for o in out] == ["layers.1.neurons.0", "layers.1.neurons.1"]
    scopes = {v.scope for v in backward_order(out) if v.op}
    assert scopes == {f"layers.{i}.neurons.{j}" for i in range(2) for j in range(2)}
    # Values made outside a model call carry no scope.
    assert (Value(1.0) * 2).scope is None


@pytest.mark.parametrize("act", ["linear", "sigmoid", "tanh", "relu", "leaky_relu"])
@pytest.mark.parametrize("out_act", ["linear", "sigmoid", "softmax"])
def test_mlp_matches_numpy(act, out_act):
    m = nn.MLP(3, [5, 4, 3], activation=act, output_activation=out_act, init="uniform", seed=3)
    x = np.array([0.2, -1.3, 0.7])
    out = m(x)
    assert isinstance(out, list) and len(out) == 3 and all(type(v) is Value for v in out)
    np.testing.assert_allclose([v.data for v in out], _np_forward(m, x), rtol=0, atol=1e-14)
    if out_act == "softmax":
        assert sum(v.data for v in out) == pytest.approx(1.0, abs=1e-15)


def test_single_output_is_still_a_list_and_inputs_may_be_values():
    m = nn.MLP(2, [1], seed=0)
    x = [Value(1.0), Value(2.0)]
    out = m(x)
    assert isinstance(out, list) and len(out) == 1
    out[0].backward()
    assert x[0].grad == pytest.approx(m.layers[0].neurons[0].w[0].data)
    layer = nn.Layer(2, 1)
    assert isinstance(layer([1.0, 2.0]), list)


def test_seeds_are_reproducible_and_none_means_zero():
    a = nn.MLP(2, [4, 1], seed=None).state_dict()
    b = nn.MLP(2, [4, 1], seed=0).state_dict()
    c = nn.MLP(2, [4, 1], seed=1).state_dict()
    assert a == b
    assert a != c


def test_inits():
    rng = 7
    u = nn.MLP(50, [40], init="uniform", seed=rng)
    w = np.array([p.data for n, p in u.named_parameters() if not n.endswith(".b")])
    assert w.min() >= -1 and w.max() <= 1 and w.std() == pytest.approx(1 / math.sqrt(3), rel=0.05)
    x = nn.MLP(50, [40], init="xavier", seed=rng)
    w = np.array([p.data for n, p in x.named_parameters() if not n.endswith(".b")])
    r = math.sqrt(6 / 90)
    assert np.abs(w).max() <= r and np.abs(w).max() > 0.95 * r
    assert nn.MLP(50, [40], init="glorot", seed=rng).state_dict() == x.state_dict()
    h = nn.MLP(50, [40], init="he", seed=rng)
    w = np.array([p.data for n, p in h.named_parameters() if not n.endswith(".b")])
    assert w.std() == pytest.approx(math.sqrt(2 / 50), rel=0.05)
    z = nn.MLP(50, [40], init="zeros", seed=rng)
    assert all(v == 0.0 for v in z.state_dict().values())
    for m in (u, x, h):
        assert all(v == 0.0 for n, v in m.state_dict().items() if n.endswith(".b"))


@pytest.mark.parametrize("kwargs, match", [
    ({"activation": "swish"}, "unknown activation 'swish'"),
    ({"output_activation": "tan"}, "unknown output_activation 'tan'"),
    ({"init": "glorot_normal"}, "unknown init 'glorot_normal'"),
])
def test_unknown_names(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nn.MLP(2, [2, 1], **kwargs)


def test_bad_sizes_and_seed():
    with pytest.raises(ValueError, match=r"MLP\(nin\) must be a positive integer, got 0"):
        nn.MLP(0, [1])
    with pytest.raises(ValueError, match=r"MLP\(nouts\[1\]\) must be a positive integer, got -2"):
        nn.MLP(2, [3, -2])
    with pytest.raises(ValueError, match="nouts"):
        nn.MLP(2, [])
    with pytest.raises(TypeError, match="seed"):
        nn.MLP(2, [1], seed=1.5)
    with pytest.raises(ValueError, match="activation"):
        nn.Neuron(2, activation="softmax")


def test_bad_inputs_name_the_problem():
    m = nn.MLP(3, [2, 1], seed=0)
    with pytest.raises(ValueError, match=r"MLP\(x\): expected 3 inputs, got 2"):
        m([1.0, 2.0])
    with pytest.raises(ValueError, match=r"MLP\(x\): input 1 is nan; inputs must be finite"):
        m([1.0, float("nan"), 2.0])
    with pytest.raises(TypeError, match=r"MLP\(x\): input 2 must be a number or a Value, got 'a'"):
        m([1.0, 2.0, "a"])
    with pytest.raises(TypeError, match=r"MLP\(x\): expected a sequence of 3 numbers"):
        m(1.0)
    with pytest.raises(ValueError, match=r"Layer\(x\): expected 3 inputs, got 4"):
        m.layers[0]([1, 2, 3, 4])
    with pytest.raises(ValueError, match=r"predict\(X\): expected shape \(n, 3\), got \(2, 2\)"):
        m.predict([[1, 2], [3, 4]])
    with pytest.raises(ValueError, match=r"predict\(X\): row 1, column 0 is inf"):
        m.predict([[1, 2, 3], [np.inf, 0, 0]])
    with pytest.raises(ValueError, match="empty"):
        m.predict(np.zeros((0, 3)))


def test_predict_and_classify_match_eager_calls():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 3))
    for out_act, n_out in (("linear", 1), ("sigmoid", 1), ("linear", 4), ("softmax", 4)):
        m = nn.MLP(3, [5, n_out], activation="relu", output_activation=out_act, seed=2)
        P = m.predict(X)
        assert P.shape == (20, n_out) and P.dtype == np.float64
        eager = np.array([[v.data for v in m(x)] for x in X])
        np.testing.assert_allclose(P, eager, rtol=0, atol=1e-13)
        labels = m.classify(X)
        assert labels.dtype == np.int64 and labels.shape == (20,)
        if n_out == 1:
            threshold = 0.5 if out_act == "sigmoid" else 0.0
            np.testing.assert_array_equal(labels, (eager[:, 0] > threshold).astype(int))
        else:
            np.testing.assert_array_equal(labels, eager.argmax(axis=1))
    # The compiled forward reads the current parameter values.
    m.parameters()[0].data = m.parameters()[0].data + 1.0
    np.testing.assert_allclose(m.predict(X), [[v.data for v in m(x)] for x in X], rtol=0, atol=1e-13)


def test_predict_uses_the_compiled_forward():
    from autograd_lite import Program

    m = nn.MLP(2, [3, 1], seed=0)
    calls = []
    forward = m._forward
    m._forward = lambda x: calls.append(1) or forward(x)
    assert m._program is None
    X = np.random.default_rng(0).normal(size=(100, 2))
    m.predict(X)
    m.predict(X)
    assert isinstance(m._program, Program)
    # traced (twice, to check the graph does not change), never run per row: 200 rows, <= 2 calls
    assert 1 <= len(calls) <= 2


def test_repr_is_readable():
    m = nn.MLP(2, [16, 16, 1], activation="relu", seed=0)
    r = repr(m)
    assert r.splitlines()[0] == "MLP(2-16-16-1, parameters=337)"
    assert "(layers.1): Layer(nin=16, nout=16, activation='relu')" in r
    assert "(layers.2): Layer(nin=16, nout=1, activation='linear')" in r
    assert repr(nn.Neuron(3, "sigmoid")) == "Neuron(nin=3, activation='sigmoid')"


def test_zero_grad():
    m = nn.MLP(2, [2, 1], seed=0)
    m([1.0, 2.0])[0].backward()
    assert any(p.grad != 0.0 for p in m.parameters())
    m.zero_grad()
    assert all(p.grad == 0.0 for p in m.parameters())


@pytest.mark.needs_torch
@pytest.mark.parametrize("act, out_act", [("tanh", "linear"), ("relu", "sigmoid"), ("leaky_relu", "softmax"),
                                          ("sigmoid", "tanh"), ("linear", "relu")])
def test_to_torch_same_outputs(act, out_act):
    import torch

    m = nn.MLP(4, [6, 5, 3], activation=act, output_activation=out_act, init="uniform", seed=4)
    seq = m.to_torch()
    assert isinstance(seq, torch.nn.Sequential)
    linears = [mod for mod in seq if isinstance(mod, torch.nn.Linear)]
    assert [(lin.in_features, lin.out_features) for lin in linears] == [(4, 6), (6, 5), (5, 3)]
    assert all(lin.weight.dtype == torch.float64 for lin in linears)
    X = np.random.default_rng(1).normal(size=(10, 4))
    with torch.no_grad():
        out = seq(torch.tensor(X)).numpy()
    np.testing.assert_allclose(out, m.predict(X), rtol=0, atol=1e-13)
