"""Recording modes: ``no_grad``, ``detect_anomaly`` and module scopes.

Each mode lives in a :class:`contextvars.ContextVar`, so it is private to its thread
and to its asyncio task. The hot path pays for none of this while no mode is active
anywhere: it reads one global counter (``ACTIVE[0]``) and only looks up the context
when the counter is non-zero.
"""

from __future__ import annotations

import functools
import inspect
import threading
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, NamedTuple

__all__ = ["no_grad", "detect_anomaly", "scope", "is_grad_enabled", "is_anomaly_enabled", "current_scope"]


class _State(NamedTuple):
    grad_enabled: bool = True
    anomaly: bool = False
    scope: str | None = None
    tracer: Any = None


_DEFAULT = _State()
STATE: ContextVar[_State] = ContextVar("autograd_lite_state", default=_DEFAULT)
# Number of mode contexts open in any thread or task. Zero means "all defaults".
ACTIVE = [0]
_lock = threading.Lock()


def _bump(delta: int) -> None:
    with _lock:
        ACTIVE[0] += delta


class _Mode:
    """A context manager and decorator that sets part of the recording state."""

    def _change(self, state: _State) -> _State:  # pragma: no cover - overridden
        raise NotImplementedError

    def __init__(self) -> None:
        self._tokens: list = []

    def __enter__(self):
        self._tokens.append(STATE.set(self._change(STATE.get())))
        _bump(1)
        return self

    def __exit__(self, *exc) -> None:
        STATE.reset(self._tokens.pop())
        _bump(-1)

    def __call__(self, fn: Callable) -> Callable:
        mode = type(self)

        if inspect.isgeneratorfunction(fn):
            # The mode must hold while the generator's body runs, i.e. around each
            # resumption, and not leak to the caller while the generator is suspended.
            @functools.wraps(fn)
            def generator_wrapper(*args, **kwargs):
                gen = fn(*args, **kwargs)
                try:
                    with self._fresh(mode):
                        item = next(gen)
                    while True:
                        try:
                            sent = yield item
                        except GeneratorExit:
                            with self._fresh(mode):
                                gen.close()
                            raise
                        except BaseException as exc:  # noqa: BLE001 - passed on to the generator
                            with self._fresh(mode):
                                item = gen.throw(exc)
                        else:
                            with self._fresh(mode):
                                item = gen.send(sent)
                except StopIteration as stop:
                    return stop.value
            return generator_wrapper

        if inspect.iscoroutinefunction(fn):
            @functools.wraps(fn)
            async def async_wrapper(*args, **kwargs):
                with self._fresh(mode):
                    return await fn(*args, **kwargs)
            return async_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self._fresh(mode):
                return fn(*args, **kwargs)
        return wrapper

    def _fresh(self, mode):
        # A new instance per call keeps decorated functions re-entrant and thread-safe.
        new = mode.__new__(mode)
        new.__dict__.update(self.__dict__)
        new._tokens = []
        return new


class no_grad(_Mode):
    """Record nothing: results computed inside have no parents (use as ``with`` or as a decorator)."""

    def _change(self, state: _State) -> _State:
        return state._replace(grad_enabled=False)


class enable_grad(_Mode):
    """Record again inside a ``no_grad`` block."""

    def _change(self, state: _State) -> _State:
        return state._replace(grad_enabled=True)


class detect_anomaly(_Mode):
    """Raise at once on any non-finite value, naming the op, its operands and their labels.

    The eager engine always refuses a non-finite result of an op or a non-finite
    gradient. Inside this context it also records where each node is made, so an
    error raised later in the backward pass names the line of your code that made the
    failing node (as PyTorch's anomaly mode does); the compiled replay also checks
    every batch it is given and every value it computes.
    """

    def _change(self, state: _State) -> _State:
        return state._replace(anomaly=True)


class scope(_Mode):
    """Tag every node created inside with a module name (nested scopes join with dots).

    ``nn`` uses this so that ``draw`` can group a neuron's nodes in a cluster::

        with scope("layer1"), scope("neuron3"):
            z = Value.sum(w * x for w, x in zip(ws, xs))   # z's scope is "layer1.neuron3"
    """

    def __init__(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError(f"scope name must be a non-empty string, got {name!r}")
        super().__init__()
        self.name = name

    def _change(self, state: _State) -> _State:
        joined = self.name if state.scope is None else f"{state.scope}.{self.name}"
        return state._replace(scope=joined)


class _tracing(_Mode):
    """Internal: the compiler's tracer watches reads of traced data (see compile.py)."""

    def __init__(self, tracer: Any) -> None:
        super().__init__()
        self.tracer = tracer

    def _change(self, state: _State) -> _State:
        return state._replace(tracer=self.tracer)


def is_grad_enabled() -> bool:
    """True unless inside ``no_grad``."""
    return STATE.get().grad_enabled


def is_anomaly_enabled() -> bool:
    """True inside ``detect_anomaly``."""
    return STATE.get().anomaly


def current_scope() -> str | None:
    """The dotted module scope new nodes are tagged with, or None."""
    return STATE.get().scope
