"""autograd-lite: a scalar reverse-mode autodiff engine for learning backpropagation.

>>> from autograd_lite import Value
>>> w = Value(0.5, label="w"); x = Value(2.0, label="x"); b = Value(-1.0, label="b")
>>> loss = ((w * x + b).sigmoid() - 1.0) ** 2
>>> loss.backward()
>>> round(w.grad, 6)
-0.5
"""

from .autodiff import backward_order, grad, local_partials
from .check import gradcheck, gradgradcheck
from .compile import Program, TraceError, compile
from .draw import draw
from .explain import explain
from .modes import detect_anomaly, enable_grad, is_grad_enabled, no_grad, scope
from .primitives import PRIMITIVES, Primitive, register_primitive
from .steps import backward_steps, render_steps
from .value import EngineError, Value, apply

__all__ = [
    "Value", "grad", "no_grad", "enable_grad", "is_grad_enabled", "detect_anomaly", "scope",
    "EngineError", "apply", "Primitive", "PRIMITIVES", "register_primitive",
    "backward_order", "local_partials",
    "gradcheck", "gradgradcheck",
    "compile", "Program", "TraceError",
    "draw", "explain", "backward_steps", "render_steps",
]
__version__ = "0.1.0"
