# Two commands set everything up on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# pyenv reads .python-version, so python3 here is the pinned 3.12.
PYTHON ?= python3
UV := $(PYTHON) -m uv
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# pytest-xdist workers (one test database each, test_crm_gw0, ...): one per core by default.
TEST_WORKERS ?= auto
# Debian packages: WeasyPrint's text shaping, PDF tools for tests, Chromium for
# browser tests, fonts for PDFs that look the same everywhere.
SYSTEM_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 poppler-utils chromium fonts-dejavu-core fonts-liberation2

export DJANGO_SETTINGS_MODULE := crm.settings

.PHONY: help
help:
	@echo "make run     serve the app with demo data on http://$(HOST):$(PORT)/"
	@echo "make test    lint and run the whole test suite"
	@echo "make bench   benchmarks at 100,000 opportunities and PDF rendering (slow, not part of test)"
	@echo "make bench-engines  the board card rendered by Django templates and by Jinja2"
	@echo "make load    50 simulated reps for 5 minutes against gunicorn at 100,000 opportunities (locust)"
	@echo "make failure load while the database connections are killed and PostgreSQL restarts (private cluster)"

$(BIN)/python: pyproject.toml uv.lock
	@$(UV) --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --locked
	@touch $@

.PHONY: install
install: $(BIN)/python system-deps

.PHONY: system-deps
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q "ok installed" || echo $$p; done); \
	if [ -n "$$missing" ]; then \
		echo "Installing system packages:" $$missing; \
		SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

.PHONY: run
run: install
	DEBUG=$${DEBUG:-1} $(MANAGE) migrate --no-input
	DEBUG=$${DEBUG:-1} $(MANAGE) seed_demo
	@echo
	@echo "  Demo logins (password: demo): admin, manager, sales1, sales2"
	@echo "  Open http://$(HOST):$(PORT)/"
	@echo
	@# The web server and one job worker start and stop together (Procfile.dev).
	DEBUG=$${DEBUG:-1} HOST=$(HOST) PORT=$(PORT) PATH=$(CURDIR)/$(BIN):$$PATH $(BIN)/honcho -f Procfile.dev start

.PHONY: lint
lint: $(BIN)/python
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	DEBUG=1 $(MANAGE) makemigrations --check --dry-run
	@# Production settings come from the environment; with them, check --deploy prints nothing.
	SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') \
		ALLOWED_HOSTS=crm.example.com EMAIL_HOST=smtp.example.com SECURE_HSTS_PRELOAD=1 \
		$(MANAGE) check --deploy --fail-level WARNING

.PHONY: test
test: install lint
	DEBUG=1 DJANGO_ALLOW_ASYNC_UNSAFE=1 $(BIN)/pytest -n $(TEST_WORKERS) --durations=15 $(PYTEST_ARGS)

.PHONY: format
format: $(BIN)/python
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

.PHONY: bench
bench: install
	$(BIN)/python bench/run.py
	$(BIN)/python bench/pdf.py

# Locust is only needed here, so it lives in its own dependency group: `make test` never installs it.
.PHONY: load
load: install
	$(UV) sync --locked --group load
	$(BIN)/python bench/load.py

.PHONY: bench-engines
bench-engines: install
	$(BIN)/python bench/template_engines.py

.PHONY: failure
failure: install
	$(BIN)/python bench/failure.py

.PHONY: db-stop
db-stop:
	@$(BIN)/python -m crm.embedded_db stop
