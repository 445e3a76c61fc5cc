# Two commands do all set-up on a fresh machine: `make demo` runs the product, `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
NPM ?= npm

.PHONY: docs demo test install frontend api-types lint clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	# torch first, pinned: the local CPU build (unpinned, pip pulls a multi-GB CUDA build)
	$(PIP) install -q torch==2.13.0
	$(PIP) install -q -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

frontend/node_modules/.installed: frontend/package.json frontend/package-lock.json frontend/tools/api-types/package.json
	cd frontend && $(NPM) ci --no-audit --no-fund
	touch $@

frontend/dist/index.html: frontend/node_modules/.installed $(shell find frontend/src frontend/index.html frontend/vite.config.ts -type f 2>/dev/null)
	cd frontend && $(NPM) run build

frontend: frontend/dist/index.html

# After any API change: regenerate the browser app's types from the server's schema, then commit them.
# tests/frontend/test_api_types.py (in `make test`) fails while they differ.
api-types: install frontend/node_modules/.installed
	PYTHON=$(abspath $(PY)) frontend/tools/api-types/generate.sh

# After retraining (new JSON reports in workers/weights/): re-render the figures of docs/models.md and the model
# cards. tests/docs/test_model_docs.py (in `make test`) fails while a committed document differs.
docs: install
	$(PY) scripts/render_model_docs.py

demo: install frontend
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	bash scripts/demo.sh

test: install frontend
	$(VENV)/bin/pytest
	cd frontend && $(NPM) test

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

clean:
	rm -rf var frontend/dist
