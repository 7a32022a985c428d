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
	$(BIN)/glassnet shape 3x224x224 conv:64,k7,s2,p3 maxpool:k3,s2,p1 conv:128,k3,s1,p1
	$(BIN)/glassnet shape 3x32x32 conv:16,k3,psame conv:32,k3,s2,p1 avgpool:k2,s2 conv:64,k3,d2,p2

test: $(BIN)/glassnet
	$(BIN)/python -m pytest -q

bench: $(BIN)/glassnet
	$(BIN)/python bench/bench_ops.py

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
