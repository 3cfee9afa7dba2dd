# make demo: create .venv, install the package, run the main job.
# make test: install the dev extras into .venv, run ruff and the whole suite (notebooks included).
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
OUT ?= out

.PHONY: demo test lint bench clean

$(VENV)/.base: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e '.[notebooks]'
	touch $@

$(VENV)/.dev: $(VENV)/.base
	$(PY) -m pip install -q -e '.[dev,notebooks]'
	touch $@

demo: $(VENV)/.base
	$(PY) demo.py --out $(OUT)

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .

test: lint
	$(PY) -m pytest -q

bench: $(VENV)/.dev
	$(PY) benchmarks/bench_engine.py
	$(PY) benchmarks/bench_compiled.py

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache
