# cmrnet: `make run` serves the demo site, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export CMRNET_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test install demo serve clean e2e-deps bench mutation

$(BIN)/cmrnet: pyproject.toml requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c requirements.lock -e '.[dev]'
	touch $(BIN)/cmrnet

install: $(BIN)/cmrnet

run: install
	$(BIN)/cmrnet migrate --noinput
	$(BIN)/cmrnet demo
	@echo ""
	@echo "Open http://127.0.0.1:8000/ and log in with one of the demo accounts above."
	$(BIN)/cmrnet serve --host 127.0.0.1 --port 8000

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: install
	$(BIN)/python bench/rules.py
	$(BIN)/python bench/psychometrics.py
	$(BIN)/python bench/dicom.py

# Mutation testing of the pure cores (mutmut; not part of `make test`). Resumes a cut run;
# MUTATION_ARGS e.g. "--only cme --rerun-survivors --survivors" (see scripts/mutation.py).
mutation: install
	$(BIN)/python scripts/mutation.py $(MUTATION_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache mutants
