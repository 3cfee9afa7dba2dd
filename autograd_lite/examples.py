"""The lectures' worked examples, built from Values, for notebooks, drawings and tests.

:func:`lecture_network` is lecture 000's 2-2-2 sigmoid network with the quadratic cost
L = Σⱼ (yⱼ − aⱼ⁽ˢ⁾)² on one example. Superscript (h) marks the hidden layer (the
lecture's Spanish notes write (o), "oculta"), (s) the output layer ("salida"); wⱼ,ᵢ joins
unit i of the layer below to unit j. An output weight w₁,₁⁽ˢ⁾ reaches L through one
path; a hidden weight w₁,₁⁽ʰ⁾ through two, one via each output, so ∂L/∂w₁,₁⁽ʰ⁾ is the
sum of two products::

    >>> from autograd_lite import explain
    >>> L, v = lecture_network()
    >>> L.backward()
    >>> explain(L, v["w11h"]).count
    2
"""

from __future__ import annotations

from .modes import scope
from .value import Value

__all__ = ["lecture_network", "WEIGHTS"]

SUP = {"h": "⁽ʰ⁾", "s": "⁽ˢ⁾"}
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")
WEIGHTS = {
    "h": [[0.15, 0.20], [0.25, 0.30]], "bh": [0.35, 0.35],
    "s": [[0.40, 0.45], [0.50, 0.55]], "bs": [0.60, 0.60],
}


def _name(base: str, layer: str = "") -> str:
    return base.translate(SUB) + SUP.get(layer, "")


def lecture_network(x=(0.35, 0.9), y=(0.0, 1.0), weights=None) -> tuple[Value, dict[str, Value]]:
    """Build the network on one example; return ``(L, values)``.

    ``values`` maps plain names to Values: ``"w11h"``, ``"b2s"``, ``"z1h"``, ``"a2s"``, ...
    Nodes are tagged with scopes ``hidden.neuron1``, ``output.neuron2``, ``cost``.
    """
    weights = weights or WEIGHTS
    values: dict[str, Value] = {}
    a_prev = [Value(v, label=_name(f"x{i + 1}")) for i, v in enumerate(x)]
    for layer, layer_name in (("h", "hidden"), ("s", "output")):
        acts = []
        for j in range(len(weights[layer])):
            with scope(layer_name), scope(f"neuron{j + 1}"):
                ws = []
                for i in range(len(a_prev)):
                    w = Value(weights[layer][j][i], label=_name(f"w{j + 1},{i + 1}", layer))
                    values[f"w{j + 1}{i + 1}{layer}"] = w
                    ws.append(w)
                b = Value(weights["b" + layer][j], label=_name(f"b{j + 1}", layer))
                values[f"b{j + 1}{layer}"] = b
                z = Value.sum([w * a for w, a in zip(ws, a_prev)] + [b])   # z = Σ wᵢaᵢ + b, one node
                z.label = _name(f"z{j + 1}", layer)
                a = z.sigmoid()
                a.label = _name(f"a{j + 1}", layer)
            values[f"z{j + 1}{layer}"], values[f"a{j + 1}{layer}"] = z, a
            acts.append(a)
        a_prev = acts
    with scope("cost"):
        L = Value.sum([(yj - aj) ** 2 for yj, aj in zip(y, a_prev)])
        L.label = "L"
    return L, values
