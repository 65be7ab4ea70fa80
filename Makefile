# Two commands do the whole set-up: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test lint bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/growthsim run double11 --seeds 4 --population 20000 --jobs 2 --out out --report

test: $(STAMP)
	$(BIN)/lint-imports
	$(BIN)/python -m pytest -n 2 --durations=10

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: $(STAMP)
	$(BIN)/python benchmarks/engine.py
	$(BIN)/python benchmarks/mesa_reference.py
	$(BIN)/python benchmarks/optimize.py
	$(BIN)/python benchmarks/calibration.py

clean:
	rm -rf $(VENV) out .pytest_cache
