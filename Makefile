# The two commands of the README. Each creates its own virtual environment with
# python3 -m venv and pip: only pip takes the local CPU build of torch==2.13.0.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test bench clean

$(BIN)/glassnet: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/glassnet
	$(BIN)/glassnet lab --mode quick --out lab-report

test: $(BIN)/glassnet
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/python -m pytest -q

bench: $(BIN)/glassnet
	$(BIN)/python bench/bench_ops.py
	$(BIN)/python bench/bench_models.py
	$(BIN)/python bench/bench_rnn.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
