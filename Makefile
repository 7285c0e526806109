# Highharm: the only entry points a newcomer needs.
SHELL := /bin/bash
PY := .venv/bin/python
HH := .venv/bin/highharm
UV := $(shell command -v uv 2>/dev/null || echo .venv-uv/bin/uv)
DEMO_PERPETRATORS ?= 3000
DEMO_YEARS ?= 3
export HIGHHARM_VAR_DIR ?= $(CURDIR)/var

.PHONY: install demo serve test test-fast test-postgres lint format bench clean

# Sets up everything demo and test share; does nothing when already done.
install: .venv/.installed node_modules/.installed build/static/highharm.css

.venv-uv/bin/uv:
	@command -v uv >/dev/null 2>&1 || { python3 -m venv .venv-uv && .venv-uv/bin/pip install --quiet uv; }

.venv/.installed: pyproject.toml uv.lock | $(if $(shell command -v uv 2>/dev/null),,.venv-uv/bin/uv)
	$(UV) sync --frozen --python python3.11
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

build/static/highharm.css: node_modules/.installed src/highharm/styles/highharm.scss
	npm run --silent build

var/secret_key:
	@mkdir -p var
	@$(PY) -c "import secrets; print(secrets.token_urlsafe(50))" > $@
	@chmod 600 $@

# A synthetic force on the embedded SQLite database, one user per role, served on :8000.
demo: install var/secret_key
	HIGHHARM_DEMO=1 $(HH) migrate --no-input
	HIGHHARM_DEMO=1 $(HH) demo-setup --perpetrators $(DEMO_PERPETRATORS) --years $(DEMO_YEARS)
	HIGHHARM_DEMO=1 $(HH) runserver --insecure 127.0.0.1:8000

serve: install var/secret_key
	HIGHHARM_DEMO=1 $(HH) runserver --insecure 127.0.0.1:8000

lint: install
	.venv/bin/ruff check src tests bench
	.venv/bin/ruff format --check src tests bench
	.venv/bin/bandit -r src -q -lll

format: install
	.venv/bin/ruff format src tests bench
	.venv/bin/ruff check --fix src tests bench

# Every test: ruff, then pytest on SQLite (browser tests included).
test: install lint
	HIGHHARM_DATABASE_URL= $(PY) -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

# The same suite on PostgreSQL: HIGHHARM_DATABASE_URL=postgres://postgres@127.0.0.1:5432/highharm_ci
test-postgres: install
	$(PY) -m pytest -n 2 --dist loadfile -q $(PYTEST_ARGS)

bench: install
	@mkdir -p bench/out
	@for b in bench/*.py; do echo "== $$b"; $(PY) $$b || exit 1; done

clean:
	rm -rf .venv .venv-uv node_modules build var
