"""The engine benchmark runs and its implementations agree (it checks the gradients itself).

Times are not asserted: they depend on the machine. Only that the script exits cleanly,
says the gradients of every installed implementation agree, reports a memory figure and
does not report as missing a peer that is installed.
"""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench_engine.py"


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def test_bench_engine_quick_runs_and_implementations_agree():
    r = subprocess.run([sys.executable, str(BENCH), "--quick"], capture_output=True, text=True,
                       timeout=300, cwd=ROOT)
    assert r.returncode == 0, f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}"
    out = r.stdout
    m = re.search(r"gradients of (\d+) implementations agree", out)
    assert m, out
    peers = {"micrograd 0.1.0": "micrograd", "torch scalar ops": "torch"}
    expected = 2 + sum(_installed(mod) for mod in peers.values())   # autograd_lite and the floor always
    assert int(m.group(1)) == expected, out
    timed = dict(re.findall(r"^(autograd_lite|micrograd 0\.1\.0|torch scalar ops|pure-Python floor)\s+"
                            r"([\d.]+)ms", out, flags=re.M))
    assert {"autograd_lite", "pure-Python floor"} <= set(timed), out
    assert all(float(t) > 0.0 for t in timed.values())
    for name, mod in peers.items():
        if _installed(mod):
            assert name in timed, f"{name} is installed but not timed:\n{out}"
        else:
            assert re.search(rf"^{re.escape(name)}\s+missing", out, flags=re.M), out
    mem = re.search(r"memory: (\d+) bytes per op on a ([\d,]+)-op chain", out)
    # tracemalloc counts bytes, not seconds: a stable figure, held to the target
    assert mem and 0 < int(mem.group(1)) <= 200, out
    assert "Traceback" not in r.stderr
