"""The lecture's worked example (lecture 000) drawn, explained and stepped through.

A 2-2-2 sigmoid network with the quadratic cost L = Σⱼ (yⱼ − aⱼ⁽ˢ⁾)² on one example.
Superscript (h) marks the hidden layer (the lecture's Spanish notes write (o), "oculta"),
(s) the output layer ("salida"); wⱼ,ᵢ joins unit i of the layer below to unit j.
An output weight w₁,₁⁽ˢ⁾ reaches L through one path; a hidden weight w₁,₁⁽ʰ⁾ through
two, one via each output: ∂L/∂w₁,₁⁽ʰ⁾ is the sum of the two products.

    .venv/bin/python docs/lecture_graph.py --out out      # SVG/PNG, the HTML stepper, the explanation
    .venv/bin/python docs/lecture_graph.py --docs         # also rewrites docs/graph.png (README picture)
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from autograd_lite import Value, draw, explain, render_steps, scope

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


def write_lecture_figures(out: Path, docs_png: Path | None = None) -> list[Path]:
    """Write the lecture graph (∂L/∂w₁,₁⁽ʰ⁾'s two paths in bold, SVG and PNG), its explanation
    and the step-through HTML into ``out``; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    L, v = lecture_network()
    written = [out / "lecture_steps.html"]
    render_steps(L, written[0], rankdir="TB", group=False,
                 title="Backward pass of the lecture's 2-2-2 network, step by step")
    # top to bottom, no boxes: the two paths of ∂L/∂w₁,₁⁽ʰ⁾ split at a₁⁽ʰ⁾ and meet again at L
    g = draw(L, highlight=v["w11h"], rankdir="TB", group=False)
    g.graph_attr["dpi"] = "72"
    for fmt in ("svg", "png"):
        written.append(Path(g.render(out / "lecture_graph", format=fmt, cleanup=True)))
    # the same graph grouped by neuron (the boxes nn's modules make)
    grouped = draw(L, highlight=v["w11h"])
    written.append(Path(grouped.render(out / "lecture_graph_grouped", format="png", cleanup=True)))
    text = "\n\n".join(str(explain(L, v[w])) for w in ("w11s", "w11h"))
    written.append(out / "lecture_explain.txt")
    _write_atomic(written[-1], text.encode("utf-8") + b"\n")
    if docs_png is not None:
        _write_atomic(docs_png, g.pipe(format="png"))
        written.append(docs_png)
    return written


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="out", help="folder for the lecture graph, explanation and stepper")
    ap.add_argument("--docs", action="store_true", help="also rewrite docs/graph.png")
    args = ap.parse_args(argv)
    docs_png = Path(__file__).resolve().parent / "graph.png" if args.docs else None
    for p in write_lecture_figures(Path(args.out), docs_png):
        print(f"wrote {p}")
    L, v = lecture_network()
    L.backward()
    print(explain(L, v["w11h"]))


if __name__ == "__main__":
    sys.exit(main())
