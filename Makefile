# Shieldwall: two commands for a newcomer — `make demo` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: demo test install install-dev lint typecheck serve clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when the dependency declaration changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: migrate the embedded SQLite database under ./var/, load the demo data, print the logins, serve.
## The task worker (matching runs, imports) runs in the background beside the server and stops with it.
demo: install
	$(BIN)/shieldwall demo
	@echo "Serving Shieldwall at http://$(HOST):$(PORT)/ with a task worker beside it (Ctrl-C stops both)"
	$(BIN)/shieldwall worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	SHIELDWALL_SECRET_KEY="$$(cat var/secret_key)" SHIELDWALL_HTTPS=0 \
		$(BIN)/shieldwall serve --bind $(HOST):$(PORT)

## make test: ruff, mypy, then the suite on SQLite and again on PostgreSQL when one answers.
test: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/mypy src
	BIN=$(BIN) scripts/test.sh

lint: install-dev
	$(BIN)/ruff check src tests bench

typecheck: install-dev
	$(BIN)/mypy src

clean:
	rm -rf var test-artifacts .pytest_cache .mypy_cache .ruff_cache
