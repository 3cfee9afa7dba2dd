"""``Module``: the base of every model: its parameters by dotted name, and saving them.

A module holds parameters (leaf :class:`~autograd_lite.Value` s) and sub-modules.
``named_parameters()`` walks them in a fixed order and names each one by its path,
e.g. ``layers.0.neurons.3.w.1`` (weight 1 of neuron 3 of layer 0); the same names
are the parameters' labels, the ``scope`` their nodes are tagged with, the keys of
``state_dict()`` and of the saved JSON file.

Saved files are JSON (never pickle), written atomically, with a format version, the
model's constructor arguments, every parameter by name and a SHA-256 checksum of
both. ``load`` checks all of it before touching the model, so a truncated, edited
or mismatched file raises :class:`ModelFileError` and leaves the model unchanged.
"""

from __future__ import annotations

import hashlib
import json
import math
import numbers
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from autograd_lite import Value
from autograd_lite.files import write_atomic

__all__ = ["Module", "ModelFileError", "FORMAT", "FORMAT_VERSION"]

FORMAT = "autograd-lite.nn"
FORMAT_VERSION = 1

# Every Module subclass by class name, so a saved file can say which one to rebuild.
_REGISTRY: dict[str, type[Module]] = {}


class ModelFileError(ValueError):
    """A saved model file that cannot be loaded (unreadable, truncated, edited, mismatched)."""


class _class_or_instance_method:
    """A method that receives the class when called on the class, the instance on an instance."""

    def __init__(self, fn) -> None:
        self.fn = fn
        self.__doc__ = fn.__doc__

    def __get__(self, obj, cls=None):
        target = cls if obj is None else obj
        return self.fn.__get__(target, type(target))


class Module:
    """Base class of neurons, layers and networks.

    Subclasses implement ``_children()`` (their sub-modules by name), ``_own_parameters()``
    (their own parameters by name) and ``config()`` (the constructor keyword arguments
    that rebuild the same architecture, used by ``save``/``load``).
    """

    def __init_subclass__(cls, **kwargs) -> None:
        super().__init_subclass__(**kwargs)
        _REGISTRY[cls.__name__] = cls

    # ------------------------------------------------------------ structure (overridden)
    def _children(self) -> list[tuple[str, Module]]:
        return []

    def _own_parameters(self) -> list[tuple[str, Value]]:
        return []

    def config(self) -> dict[str, Any]:
        """The constructor keyword arguments that rebuild this architecture (JSON-able)."""
        raise NotImplementedError(f"{type(self).__name__} does not define config(), so it cannot be saved")

    # ------------------------------------------------------------ parameters
    def named_parameters(self) -> list[tuple[str, Value]]:
        """``[(dotted name, parameter)]`` in a fixed order: own parameters, then each child's."""
        out: list[tuple[str, Value]] = []
        self._collect("", out)
        return out

    def _collect(self, prefix: str, out: list) -> None:
        for name, p in self._own_parameters():
            out.append((prefix + name, p))
        for name, child in self._children():
            child._collect(f"{prefix}{name}.", out)

    def parameters(self) -> list[Value]:
        """Every parameter (a leaf Value), in the order of ``named_parameters()``."""
        return [p for _, p in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.0."""
        for p in self.parameters():
            p.grad = 0.0

    def n_parameters(self) -> int:
        """How many scalar parameters the model has."""
        return len(self.named_parameters())

    # ------------------------------------------------------------ state
    def state_dict(self) -> dict[str, float]:
        """``{dotted name: value}`` for every parameter, in order (a copy: plain floats)."""
        return {name: p.data for name, p in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state`` (as made by ``state_dict``).

        The names must be exactly this model's and every value a finite number;
        otherwise ``ValueError`` names the problem and no parameter is changed.
        """
        named = self.named_parameters()
        values = _check_state(state, [n for n, _ in named], type(self).__name__)
        for (_, p), v in zip(named, values):
            p.data = v

    # ------------------------------------------------------------ files
    def save(self, path: str | os.PathLike) -> Path:
        """Write the model to ``path`` as JSON, atomically; return the path.

        The file holds the format name and version, the class, ``config()``, every
        parameter by name and a SHA-256 checksum; a crash while writing leaves any
        previous file intact (the data go to a temporary file that is then renamed).
        """
        path = Path(path)
        if not path.parent.is_dir():
            raise FileNotFoundError(f"save({str(path)!r}): folder {str(path.parent)!r} does not exist")
        if path.is_dir():
            raise IsADirectoryError(f"save({str(path)!r}): that is a folder; give a file name such as "
                                    f"{str(path / 'model.json')!r}")
        body = {"class": type(self).__name__, "config": self.config(), "parameters": self.state_dict()}
        doc = {"format": FORMAT, "version": FORMAT_VERSION, **body, "sha256": _checksum(body)}
        text = json.dumps(doc, indent=1, allow_nan=False) + "\n"
        write_atomic(path, text)
        return path

    @_class_or_instance_method
    def load(cls_or_self, path: str | os.PathLike):
        """Read a model saved by ``save``.

        ``MLP.load(path)`` builds a new model from the file (``Module.load`` accepts any
        saved class). ``model.load(path)`` loads the file's parameters into ``model``,
        whose class and ``config()`` must match the file's, and returns ``model``.
        A missing, truncated, edited or mismatched file raises :class:`ModelFileError`
        naming the file and the problem; nothing is changed then.
        """
        if isinstance(cls_or_self, Module):
            self = cls_or_self
            cls_name, config, values = _read_model_file(path, type(self))
            if _architecture(config) != _architecture(self.config()):
                raise ModelFileError(f"{path}: the file holds {cls_name}(**{config}), which does not match "
                                     f"the model it is loaded into, {type(self).__name__}(**{self.config()})")
            named = self.named_parameters()
            vals = _check_state(values, [n for n, _ in named], cls_name, where=str(path),
                                error=ModelFileError)
            for (_, p), v in zip(named, vals):
                p.data = v
            return self
        cls = cls_or_self
        cls_name, config, values = _read_model_file(path, cls)
        try:
            model = _REGISTRY[cls_name](**config)
        except (TypeError, ValueError) as e:
            raise ModelFileError(f"{path}: cannot rebuild {cls_name} from config {config!r}: {e}") from None
        named = model.named_parameters()
        vals = _check_state(values, [n for n, _ in named], cls_name, where=str(path), error=ModelFileError)
        for (_, p), v in zip(named, vals):
            p.data = v
        return model

    def __repr__(self) -> str:
        return self._repr(0)

    def _repr(self, indent: int) -> str:
        head = self._repr_head()
        if not self._repr_children:
            return head
        pad = "  " * (indent + 1)
        lines = [f"{pad}({name}): {child._repr(indent + 1)}" for name, child in self._children()]
        return "\n".join([head, *lines])

    _repr_children = True

    def _repr_head(self) -> str:
        return f"{type(self).__name__}()"


# ---------------------------------------------------------------- helpers
# Constructor arguments that only decide the initial weights, not the architecture.
_INIT_ONLY = ("seed", "init")


def _architecture(config: dict) -> dict:
    return {k: v for k, v in config.items() if k not in _INIT_ONLY}


def _checksum(body: dict) -> str:
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _is_number(v: Any) -> bool:
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _check_state(state: Mapping[str, Any], names: list[str], owner: str, where: str = "state_dict",
                 error: type[Exception] = ValueError) -> list[float]:
    """The values of ``state`` in the order of ``names``, after checking names and numbers."""
    if not isinstance(state, Mapping):
        raise error(f"{where}: expected a mapping of parameter names to numbers, got {type(state).__name__}")
    known = set(names)
    missing = [n for n in names if n not in state]
    unexpected = [k for k in state if k not in known]
    if missing or unexpected:
        parts = []
        if missing:
            parts.append(f"missing {len(missing)} parameter(s) {missing[:5]}")
        if unexpected:
            parts.append(f"unexpected {len(unexpected)} name(s) {unexpected[:5]}")
        raise error(f"{where}: parameters do not match {owner} ({'; '.join(parts)})")
    out = []
    for n in names:
        v = state[n]
        if not _is_number(v) or not math.isfinite(float(v)):
            raise error(f"{where}: parameter {n!r} must be a finite number, got {v!r}")
        out.append(float(v))
    return out


def _read_model_file(path: str | os.PathLike, cls: type) -> tuple[str, dict, dict]:
    """(class name, config, parameters) of a saved model, after every check but the names."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ModelFileError(f"{path}: cannot read the model file ({e.strerror or e})") from None
    except UnicodeDecodeError as e:
        raise ModelFileError(f"{path}: not a text (UTF-8) model file ({e.reason})") from None
    try:
        doc = json.loads(text, parse_constant=lambda c: _reject_constant(path, c))
    except json.JSONDecodeError as e:
        raise ModelFileError(f"{path}: not valid JSON (truncated or edited?): {e.msg} at line {e.lineno} "
                             f"column {e.colno}") from None
    except RecursionError:
        raise ModelFileError(f"{path}: not a model file (JSON nested too deeply)") from None
    if not isinstance(doc, dict):
        raise ModelFileError(f"{path}: expected a JSON object, got {type(doc).__name__}")
    if doc.get("format") != FORMAT:
        raise ModelFileError(f"{path}: not an {FORMAT} model file (format is {doc.get('format')!r})")
    version = doc.get("version")
    if version != FORMAT_VERSION:
        raise ModelFileError(f"{path}: unsupported format version {version!r} (this version reads "
                             f"{FORMAT_VERSION})")
    for key, typ in (("class", str), ("config", dict), ("parameters", dict), ("sha256", str)):
        if not isinstance(doc.get(key), typ):
            raise ModelFileError(f"{path}: field {key!r} is missing or not a {typ.__name__} "
                                 f"(got {doc.get(key)!r:.60})")
    body = {"class": doc["class"], "config": doc["config"], "parameters": doc["parameters"]}
    try:
        digest = _checksum(body)
    except ValueError as e:
        raise ModelFileError(f"{path}: {e}") from None
    if digest != doc["sha256"]:
        raise ModelFileError(f"{path}: checksum mismatch: the file was edited or damaged after it was saved "
                             f"(sha256 {digest[:12]}... != recorded {doc['sha256'][:12]}...)")
    cls_name = doc["class"]
    if cls_name not in _REGISTRY:
        raise ModelFileError(f"{path}: unknown model class {cls_name!r}")
    if cls is not Module and not issubclass(_REGISTRY[cls_name], cls):
        raise ModelFileError(f"{path}: the file holds a {cls_name}, not a {cls.__name__}")
    return cls_name, doc["config"], doc["parameters"]


def _reject_constant(path, c: str):
    raise ModelFileError(f"{path}: non-finite number {c} in the model file")
