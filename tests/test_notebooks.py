"""The teaching notebooks (issue 6): all eight are there, committed with their outputs, and each runs
top to bottom in a fresh kernel; the ones that draw graphs still run where Graphviz's ``dot`` is missing.

Each notebook is executed in memory (the files are not rewritten) with nbclient, in a new ipykernel
started from this interpreter, with ``notebooks/`` as the working directory. A cell that raises fails
the test with the cell and its traceback.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import time
from pathlib import Path

import nbclient  # the dev extras (pip install -e '.[dev,notebooks]') bring nbclient, nbformat, ipykernel
import nbclient.exceptions
import nbformat
import pytest

NOTEBOOK_DIR = Path(__file__).resolve().parents[1] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))

#: The notebooks issue 6 asks for, in order.
EXPECTED = [
    "01_value_and_chain_rule",
    "02_backprop_step_by_step",
    "03_delta_rule",
    "04_perceptron_and_xor",
    "05_gradient_descent_and_learning_rate",
    "06_iris_softmax",
    "07_digits_784_15_10",
    "08_higher_order",
]

#: Seconds a single cell may take before the run is failed (a whole notebook should take well under 60 s).
CELL_TIMEOUT = 180

_DRAWS = re.compile(r"\b(draw|render_steps)\s*\(")


def _read(path: Path):
    return nbformat.read(str(path), as_version=4)


def _code_cells(nb) -> list:
    return [c for c in nb.cells if c.cell_type == "code" and c.source.strip()]


def _execute(path: Path, env: dict[str, str] | None = None, extra_cell: str | None = None):
    """Run the notebook at ``path`` in a fresh kernel; return the executed notebook and the seconds taken.

    ``env``: the kernel's environment; ``extra_cell``: code appended after the last cell.
    """
    nb = _read(path)
    if extra_cell is not None:
        nb.cells.append(nbformat.v4.new_code_cell(extra_cell))
    client = nbclient.NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    t0 = time.perf_counter()
    try:
        client.execute(**({"env": env} if env is not None else {}))
    except nbclient.exceptions.CellExecutionError as e:
        pytest.fail(f"{path.name}: a cell raised\n{e}", pytrace=False)
    except nbclient.exceptions.CellTimeoutError as e:
        pytest.fail(f"{path.name}: a cell ran longer than {CELL_TIMEOUT} s\n{e}", pytrace=False)
    return nb, time.perf_counter() - t0


def _stream_text(cell) -> str:
    return "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")


def _all_text(cell) -> str:
    """Printed text plus the text/plain, text/markdown and text/html of displayed outputs."""
    parts = [_stream_text(cell)]
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        parts += [data.get(k, "") for k in ("text/plain", "text/markdown", "text/html")]
    return "".join(p if isinstance(p, str) else "".join(p) for p in parts)


def test_the_notebooks_of_the_issue_are_all_there():
    names = [p.stem for p in NOTEBOOKS]
    missing = [n for n in EXPECTED if n not in names]
    extra = [n for n in names if n not in EXPECTED]
    assert not missing and not extra, f"notebooks/: missing {missing}, unexpected {extra}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_with_outputs(path: Path):
    """Saved after a clean top-to-bottom run: every code cell executed, in order, none with an error."""
    nb = _read(path)
    cells = _code_cells(nb)
    assert cells, f"{path.name} has no code"
    counts = [c.execution_count for c in cells]
    blank = [k for k, n in enumerate(counts) if n is None]
    assert not blank, f"{path.name}: code cells {blank} were never executed (save it with its outputs)"
    assert counts == list(range(1, len(cells) + 1)), (
        f"{path.name}: execution counts {counts} are not 1..{len(cells)}: run it top to bottom in a fresh "
        f"kernel before saving")
    errors = [(k, o.get("ename")) for k, c in enumerate(cells) for o in c.outputs
              if o.get("output_type") == "error"]
    assert not errors, f"{path.name}: saved with errors in code cells {errors}"
    first = nb.cells[0]
    assert first.cell_type == "markdown" and first.source.lstrip().startswith("# "), (
        f"{path.name}: the first cell should be a markdown title")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom(path: Path):
    """Execute every cell in a fresh kernel; any exception fails. The kernel runs this interpreter."""
    nb, seconds = _execute(path, extra_cell="import sys\nprint(sys.executable)")
    kernel_python = _stream_text(nb.cells[-1]).strip()
    assert Path(kernel_python).resolve() == Path(sys.executable).resolve(), (
        f"the notebook kernel ran {kernel_python}, not this interpreter {sys.executable}: install the "
        f"kernel with `{sys.executable} -m ipykernel install --user --name python3`")
    print(f"{path.name}: {seconds:.1f} s")


def _path_without_dot(tmp: Path) -> str:
    """PATH with every directory holding a ``dot`` replaced by a copy of it (symlinks) without ``dot``."""
    parts = []
    for k, d in enumerate(os.environ.get("PATH", "").split(os.pathsep)):
        if d and os.path.isfile(os.path.join(d, "dot")):
            shadow = tmp / f"path{k}"
            shadow.mkdir()
            for entry in os.scandir(d):
                if entry.name != "dot":
                    (shadow / entry.name).symlink_to(entry.path)
            d = str(shadow)
        parts.append(d)
    return os.pathsep.join(parts)


@pytest.mark.parametrize("path", [p for p in NOTEBOOKS if _DRAWS.search(p.read_text(encoding="utf-8"))],
                         ids=lambda p: p.stem)
def test_drawing_notebooks_run_without_graphviz(path: Path, tmp_path: Path):
    """Where Graphviz's ``dot`` is not installed, a notebook that draws graphs says so and still runs."""
    env = dict(os.environ, PATH=_path_without_dot(tmp_path))
    nb, _ = _execute(path, env=env, extra_cell="import shutil\nprint(shutil.which('dot'))")
    assert _stream_text(nb.cells[-1]).strip() == "None", "dot is still on the kernel's PATH"
    said = [c for c in _code_cells(nb)[:-1] if "graphviz" in _all_text(c).lower()]
    assert said, f"{path.name} ran without dot but never said that Graphviz is missing"


@pytest.mark.needs_dot
def test_path_without_dot_hides_dot_and_nothing_else(tmp_path: Path):
    """The PATH used above really hides ``dot`` and keeps the other programs."""
    path = _path_without_dot(tmp_path)
    assert shutil.which("dot") is not None and shutil.which("dot", path=path) is None
    for program in ("ls", "sh"):
        if shutil.which(program):
            assert shutil.which(program, path=path) is not None, program


_MACHINE_PATHS = re.compile(r"(/tmp/|/home/|/work/|/root/|/Users/|[A-Z]:\\\\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_saved_outputs_name_no_machine_paths(path: Path):
    """Outputs read the same on every machine: no temporary folders or home directories in them."""
    found = [(k, m.group(0)) for k, c in enumerate(_code_cells(_read(path)))
             if (m := _MACHINE_PATHS.search(_all_text(c)))]
    assert not found, f"{path.name}: code cells {found} show paths of the machine that ran them"


def _write_idx(folder: Path, prefix: str, n: int, seed: int) -> None:
    """Tiny MNIST-format files: n random 28x28 images and their digit labels."""
    import gzip
    import struct

    import numpy as np

    rng = np.random.default_rng(seed)
    images = struct.pack(">IIII", 2051, n, 28, 28) + rng.integers(0, 256, n * 784, dtype=np.uint8).tobytes()
    labels = struct.pack(">II", 2049, n) + rng.integers(0, 10, n, dtype=np.uint8).tobytes()
    (folder / f"{prefix}-images-idx3-ubyte").write_bytes(images)
    with gzip.open(folder / f"{prefix}-labels-idx1-ubyte.gz", "wb") as f:
        f.write(labels)


def test_digits_notebook_trains_784_15_10_on_local_mnist_files(tmp_path: Path):
    """The MNIST part of notebook 07 (skipped when MNIST_DIR is unset) on tiny files in MNIST's format."""
    _write_idx(tmp_path, "train", 60, 0)
    _write_idx(tmp_path, "t10k", 20, 1)
    env = dict(os.environ, MNIST_DIR=str(tmp_path), MNIST_TRAIN="50", MNIST_EPOCHS="1")
    nb, _ = _execute(NOTEBOOK_DIR / "07_digits_784_15_10.ipynb", env=env)
    text = "".join(_stream_text(c) for c in _code_cells(nb))
    assert "MNIST: 60 training and 20 test images of 784 pixels; training on the first 50" in text
    assert "test accuracy:" in text and "MNIST_DIR is not set" not in text
