# ern.cpms — the two commands a new user needs: `make start` and `make test`.
# Everything else here serves those two, or the developers.

SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8080
SITE ?= cpms
DEMO ?= 1
# Where the database, blobs, logs and generated secrets live.
VAR ?= var
# 1: the jobs, backup and restore act on make start-cluster's database.
CLUSTER ?= 0

STAMP := $(VENV)/.installed
SOURCES := setup.py pyproject.toml constraints.txt

.PHONY: help
help: ## Show the targets
	@grep -E '^[a-zA-Z_.-]+:.*?## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*?## "}; {printf "  %-14s %s\n", $$1, $$2}'

$(STAMP): $(SOURCES)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "ern.cpms needs Python 3.11; set PYTHON=/path/to/python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e ".[test,dev,cluster]"
	@touch $@

.PHONY: install
install: $(STAMP) ## Create .venv and install ern.cpms with the pinned Plone

.PHONY: start
start: install ## Serve the site with demo data on http://localhost:8080/cpms
	@CPMS_HOST=$(HOST) CPMS_PORT=$(PORT) CPMS_SITE=$(SITE) CPMS_DEMO=$(DEMO) \
	  CPMS_VAR=$(VAR) $(BIN)/python scripts/cpms_instance.py start

INSTANCES ?= 2
THREADS ?= 2

.PHONY: start-cluster
start-cluster: install cluster-packages ## Serve the site from PostgreSQL (RelStorage), INSTANCES Zope instances behind HAProxy
	@CPMS_HOST=$(HOST) CPMS_PORT=$(PORT) CPMS_SITE=$(SITE) CPMS_DEMO=$(DEMO) \
	  CPMS_VAR=$(VAR) CPMS_INSTANCES=$(INSTANCES) CPMS_THREADS=$(THREADS) \
	  $(BIN)/python scripts/cluster.py start

.PHONY: stop-cluster
stop-cluster: ## Stop the cluster started by make start-cluster (same VAR)
	@CPMS_VAR=$(VAR) $(BIN)/python scripts/cluster.py stop


.PHONY: backup
backup: install ## Back up the database, blobs and audit trail (CLUSTER=1: the cluster's PostgreSQL)
	@CPMS_VAR=$(VAR) CPMS_CLUSTER=$(CLUSTER) $(BIN)/python scripts/backup.py backup

.PHONY: restore
restore: install ## Restore the latest backup (BACKUP=<stamp>: that one; stop the site first)
	@CPMS_VAR=$(VAR) CPMS_CLUSTER=$(CLUSTER) CPMS_BACKUP=$(BACKUP) $(BIN)/python scripts/backup.py restore

.PHONY: cluster-packages
cluster-packages: ## Install Debian's postgresql and haproxy (as root or with sudo)
	@{ test -n "$$CPMS_PG_DSN" || test -x /usr/lib/postgresql/15/bin/initdb; } && \
	  command -v haproxy >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq postgresql haproxy; }

.PHONY: demo-data
demo-data: install ## Fill the site in VAR with a network at scale: SCALE=1 is 100,000 patients (stop the server first)
	@CPMS_SITE=$(SITE) CPMS_VAR=$(VAR) SCALE=$(SCALE) SEED=$(SEED) $(BIN)/python scripts/demo_data.py

.PHONY: bench
bench: install wrk ## Measure ern.cpms against plain Plone (SCALES="0.01 0.1"); writes docs/performance.md
	@SCALES="$(SCALES)" $(BIN)/python scripts/bench.py

.PHONY: bench-cluster
bench-cluster: install wrk cluster-packages ## Measure the cluster with 1 and 2 instances; writes docs/performance.md
	@$(BIN)/python scripts/bench_cluster.py

.PHONY: wrk
wrk: ## Install Debian's wrk for the throughput figures (as root or with sudo)
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq wrk; }

.PHONY: digests
digests: install ## Send the daily notification digests (run from cron)
	@CPMS_SITE=$(SITE) CPMS_VAR=$(VAR) CPMS_CLUSTER=$(CLUSTER) $(BIN)/python scripts/send_digests.py

.PHONY: expire-guests
expire-guests: install ## End the guest accesses whose 90 days are over (run daily from cron)
	@CPMS_SITE=$(SITE) CPMS_VAR=$(VAR) CPMS_CLUSTER=$(CLUSTER) $(BIN)/python scripts/expire_guests.py

.PHONY: retention
retention: install ## List what the retention period has ended; ERASE=1 erases it (cron), PACK=1 packs after
	@CPMS_SITE=$(SITE) CPMS_VAR=$(VAR) CPMS_CLUSTER=$(CLUSTER) ERASE=$(ERASE) PACK=$(PACK) $(BIN)/python scripts/retention.py

.PHONY: audit-verify
audit-verify: install ## Verify the audit trail's hash chain (exit 1 and the first broken link if not)
	@CPMS_VAR=$(VAR) $(BIN)/python scripts/audit_verify.py

.PHONY: code
code: install ## Print the current second-factor code of a key: make code KEY=...
	@$(BIN)/python -c 'import pyotp, sys; print(pyotp.TOTP(sys.argv[1]).now())' "$(KEY)"

.PHONY: browser
browser: ## Install Debian's chromium for the browser tests (as root or with sudo)
	@test -n "$$CPMS_CHROMIUM" || command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq chromium; }

# The login tests' OpenID Connect provider (tests/oidc: node-oidc-provider
# from npm, pinned by its package-lock.json); Debian's nodejs and npm are
# installed when missing (as root or with sudo).
OIDC_PROVIDER := tests/oidc/node_modules/.package-lock.json

.PHONY: oidc-provider
oidc-provider: $(OIDC_PROVIDER) ## Install the test OpenID Connect provider (npm ci)

$(OIDC_PROVIDER): tests/oidc/package-lock.json
	@command -v npm >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then sudo=; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq nodejs npm; }
	cd tests/oidc && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: test
test: install browser oidc-provider cluster-packages ## Run the whole test suite (screenshots: test-artifacts/)
	$(BIN)/pytest $(PYTEST_ARGS)

.PHONY: test-fast
test-fast: install browser oidc-provider cluster-packages ## Run the suite without the slow tests (builds, real servers)
	$(BIN)/pytest -m "not slow" $(PYTEST_ARGS)

.PHONY: lint
lint: install ## Check Python (ruff), XML/ZCML/templates (zpretty) and pins
	$(BIN)/ruff check src tests scripts
	$(BIN)/ruff format --check src tests scripts
	$(BIN)/zpretty --check $$(find src -name '*.zcml' -o -name '*.xml' -o -name '*.pt')
	$(BIN)/python scripts/constraints_to_versions.py constraints.txt /tmp/ern-cpms-versions.cfg
	@cmp -s versions.cfg /tmp/ern-cpms-versions.cfg || { echo "versions.cfg is out of date: run make versions.cfg"; exit 1; }

.PHONY: format
format: install ## Rewrite Python and XML in the project's style
	$(BIN)/ruff check --fix src tests scripts
	$(BIN)/ruff format src tests scripts
	$(BIN)/zpretty -i $$(find src -name '*.zcml' -o -name '*.xml' -o -name '*.pt')

versions.cfg: constraints.txt ## Regenerate buildout's pins from constraints.txt
	$(BIN)/python scripts/constraints_to_versions.py constraints.txt versions.cfg

.PHONY: i18n
i18n: install ## Update the message catalogue and the translations
	$(BIN)/i18ndude rebuild-pot --pot src/ern/cpms/locales/ern.cpms.pot \
	  --exclude "tests" --create ern.cpms src/ern/cpms
	$(BIN)/i18ndude sync --pot src/ern/cpms/locales/ern.cpms.pot \
	  src/ern/cpms/locales/*/LC_MESSAGES/ern.cpms.po

LEAFLET := src/ern/cpms/browser/static/leaflet

.PHONY: leaflet
leaflet: ## Refresh the bundled Leaflet from npm (package.json)
	npm ci --no-audit --no-fund
	rm -rf $(LEAFLET)
	mkdir -p $(LEAFLET)/images
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(LEAFLET)/
	cp node_modules/leaflet/LICENSE $(LEAFLET)/LICENSE.txt
	cp node_modules/leaflet/dist/images/* $(LEAFLET)/images/

.PHONY: openapi
openapi: ## Copy the served OpenAPI description into docs/ (the tests compare them)
	cp src/ern/cpms/restapi/openapi.yaml docs/openapi.yaml

.PHONY: clean
clean: ## Remove .venv and caches (never the data in var/)
	rm -rf $(VENV) .pytest_cache .ruff_cache src/*.egg-info
