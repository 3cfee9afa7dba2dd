"""nn.Module: state_dict, save/load (JSON, atomic, versioned, checksummed), rejection of bad files."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

import nn
from nn.module import FORMAT, FORMAT_VERSION, ModelFileError


def _model(seed=0):
    return nn.MLP(2, [4, 3], activation="relu", output_activation="softmax", seed=seed)


def _edit(path, change):
    doc = json.loads(path.read_text())
    change(doc)
    path.write_text(json.dumps(doc))


def test_round_trip_same_parameters_and_outputs(tmp_path):
    m = _model()
    X = np.random.default_rng(0).normal(size=(5, 2))
    path = m.save(tmp_path / "m.json")
    assert path == tmp_path / "m.json"
    doc = json.loads(path.read_text())
    assert doc["format"] == FORMAT and doc["version"] == FORMAT_VERSION and doc["class"] == "MLP"
    assert doc["config"] == {"nin": 2, "nouts": [4, 3], "activation": "relu", "output_activation": "softmax",
                             "init": "xavier", "seed": 0}
    assert list(doc["parameters"]) == [n for n, _ in m.named_parameters()]
    same = nn.MLP.load(path)
    assert isinstance(same, nn.MLP)
    assert same.state_dict() == m.state_dict()  # floats survive JSON exactly
    np.testing.assert_array_equal(same.predict(X), m.predict(X))
    assert isinstance(nn.Module.load(path), nn.MLP)
    # Loading into an existing model of the same architecture (another seed) replaces its weights.
    other = _model(seed=5)
    assert other.load(path) is other
    assert other.state_dict() == m.state_dict()
    assert sorted(os.listdir(tmp_path)) == ["m.json"]  # no temporary file left


def test_save_into_a_missing_folder_names_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="folder .*nowhere' does not exist"):
        _model().save(tmp_path / "nowhere" / "m.json")


def test_save_is_atomic(tmp_path, monkeypatch):
    path = tmp_path / "m.json"
    _model(0).save(path)
    before = path.read_text()

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError, match="disk full"):
        _model(1).save(path)
    assert path.read_text() == before
    assert sorted(os.listdir(tmp_path)) == ["m.json"]


def test_state_dict_round_trip_and_rejections():
    m, other = _model(0), _model(1)
    other.load_state_dict(m.state_dict())
    assert other.state_dict() == m.state_dict()
    before = other.state_dict()
    bad = dict(m.state_dict())
    del bad["layers.1.neurons.2.b"]
    with pytest.raises(ValueError, match=r"missing 1 parameter\(s\) \['layers.1.neurons.2.b'\]"):
        other.load_state_dict(bad)
    bad = {**m.state_dict(), "layers.9.neurons.0.b": 1.0}
    with pytest.raises(ValueError, match=r"unexpected 1 name\(s\) \['layers.9.neurons.0.b'\]"):
        other.load_state_dict(bad)
    bad = {**m.state_dict(), "layers.1.neurons.0.w.3": float("nan")}
    bad["layers.0.neurons.0.w.0"] = 123.0  # earlier in order: must not be applied either
    with pytest.raises(ValueError, match=r"'layers.1.neurons.0.w.3' must be a finite number, got nan"):
        other.load_state_dict(bad)
    bad = {**m.state_dict(), "layers.1.neurons.0.w.3": "0.5"}
    with pytest.raises(ValueError, match="must be a finite number, got '0.5'"):
        other.load_state_dict(bad)
    assert other.state_dict() == before


@pytest.mark.parametrize("damage, match", [
    (lambda p: p.write_text(p.read_text()[: len(p.read_text()) // 2]), "not valid JSON"),
    (lambda p: p.write_text(""), "not valid JSON"),
    (lambda p: p.write_bytes(b"\xff\xfe\x00garbage"), "UTF-8"),
    (lambda p: _edit(p, lambda d: d["parameters"].__setitem__("layers.0.neurons.1.w.0", 0.25)),
     "checksum mismatch"),
    (lambda p: _edit(p, lambda d: d.__setitem__("version", 99)), "unsupported format version 99"),
    (lambda p: _edit(p, lambda d: d.__setitem__("format", "pickle")), "not an autograd-lite.nn model file"),
    (lambda p: _edit(p, lambda d: d.pop("sha256")), "field 'sha256' is missing"),
    (lambda p: p.write_text(p.read_text().replace('": 0.0', '": NaN', 1)), "non-finite number NaN"),
    (lambda p: p.write_text("[1, 2]"), "expected a JSON object"),
])
def test_damaged_files_are_rejected_and_the_model_is_unchanged(tmp_path, damage, match):
    path = tmp_path / "m.json"
    _model(0).save(path)
    damage(path)
    target = _model(1)
    before = target.state_dict()
    with pytest.raises(ModelFileError, match=match):
        target.load(path)
    assert target.state_dict() == before
    with pytest.raises(ModelFileError, match=match):
        nn.MLP.load(path)


def test_mismatched_architecture_or_class_is_rejected(tmp_path):
    path = _model(0).save(tmp_path / "m.json")
    for other in (nn.MLP(2, [5, 3], activation="relu", output_activation="softmax"),
                  nn.MLP(2, [4, 3], activation="tanh", output_activation="softmax")):
        before = other.state_dict()
        with pytest.raises(ModelFileError, match="does not match the model it is loaded into"):
            other.load(path)
        assert other.state_dict() == before
    with pytest.raises(ModelFileError, match="holds a MLP, not a Layer"):
        nn.Layer.load(path)
    with pytest.raises(ModelFileError, match="cannot read the model file"):
        nn.MLP.load(tmp_path / "missing.json")


def test_consistently_edited_file_with_wrong_names_is_rejected(tmp_path):
    """Even with a recomputed checksum, names and shapes must match the rebuilt model."""
    from nn.module import _checksum

    path = _model(0).save(tmp_path / "m.json")

    def rename(d):
        params = d["parameters"]
        params["layers.0.neurons.7.b"] = params.pop("layers.0.neurons.0.b")
        d["sha256"] = _checksum({k: d[k] for k in ("class", "config", "parameters")})

    _edit(path, rename)
    with pytest.raises(ModelFileError, match=r"missing 1 parameter\(s\) \['layers.0.neurons.0.b'\]"):
        nn.MLP.load(path)

    def bad_config(d):
        d["config"]["nouts"] = [0, 3]
        d["sha256"] = _checksum({k: d[k] for k in ("class", "config", "parameters")})

    _edit(path, bad_config)
    with pytest.raises(ModelFileError, match="cannot rebuild MLP"):
        nn.MLP.load(path)


def test_a_consistently_edited_file_missing_a_parameter_leaves_the_model_unchanged(tmp_path):
    import json

    from nn.module import _checksum

    path = nn.MLP(2, [3, 1], seed=1).save(tmp_path / "m.json")
    doc = json.loads(path.read_text())
    del doc["parameters"]["layers.1.neurons.0.b"]
    doc["parameters"]["layers.0.neurons.0.w.0"] = 123.0
    doc["sha256"] = _checksum({k: doc[k] for k in ("class", "config", "parameters")})
    path.write_text(json.dumps(doc))
    model = nn.MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    with pytest.raises(nn.ModelFileError, match="layers.1.neurons.0.b"):
        model.load(path)
    assert model.state_dict() == before
