"""The lecture's worked example (lecture 000): a 2-2-2 sigmoid network with the MSE cost.

Notation as in the lecture: superscript (h) for the hidden layer, (s) for the output
layer; ``w[j,i]`` joins unit i of the layer below to unit j; L = Σⱼ (yⱼ − aⱼ⁽ˢ⁾)².
"""

from __future__ import annotations

from autograd_lite import Value, scope

SUP = {"h": "⁽ʰ⁾", "s": "⁽ˢ⁾"}
SUB = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def lecture_network(x=(0.35, 0.9), y=(0.0, 1.0), seed_weights=None):
    """Build the network, return ``(L, params)``; params maps names like "w11h" to their Values."""
    weights = seed_weights or {
        "h": [[0.15, 0.20], [0.25, 0.30]], "bh": [0.35, 0.35],
        "s": [[0.40, 0.45], [0.50, 0.55]], "bs": [0.60, 0.60],
    }
    params: dict[str, Value] = {}
    xs = [Value(v, label=f"x{i + 1}".translate(SUB)) for i, v in enumerate(x)]
    a_prev = xs
    for layer in ("h", "s"):
        acts = []
        for j in range(2):
            with scope("hidden" if layer == "h" else "output"), scope(f"neuron{j + 1}"):
                ws = []
                for i in range(2):
                    w = Value(weights[layer][j][i], label=f"w{j + 1},{i + 1}".translate(SUB) + SUP[layer])
                    params[f"w{j + 1}{i + 1}{layer}"] = w
                    ws.append(w)
                b = Value(weights["b" + layer][j], label=f"b{j + 1}".translate(SUB) + SUP[layer])
                params[f"b{j + 1}{layer}"] = b
                z = Value.sum([w * a for w, a in zip(ws, a_prev)] + [b])
                z.label = f"z{j + 1}".translate(SUB) + SUP[layer]
                a = z.sigmoid()
                a.label = f"a{j + 1}".translate(SUB) + SUP[layer]
            acts.append(a)
        a_prev = acts
    with scope("cost"):
        terms = []
        for yj, aj in zip(y, a_prev):
            e = (yj - aj) ** 2
            terms.append(e)
        L = Value.sum(terms)
        L.label = "L"
    params["a1s"], params["a2s"] = a_prev
    return L, params
