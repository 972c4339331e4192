# The README's two commands are the contract: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
KAFKA_LIBS := tools/kafka/libs

.PHONY: run test lint format bench rebuild token install kafka-jars asyncapi-tools schemas release-schemas sbom clean dashboard chromium

install: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -c constraints.txt -e '.[dev]'
	touch $@

kafka-jars: $(KAFKA_LIBS)/.fetched
$(KAFKA_LIBS)/.fetched: tools/kafka/pom.xml
	rm -rf $(KAFKA_LIBS)
	mvn -q -B -f tools/kafka/pom.xml dependency:copy-dependencies -DincludeScope=runtime \
		-DoutputDirectory="$(CURDIR)/$(KAFKA_LIBS)"
	touch $@

asyncapi-tools: tools/asyncapi/node_modules/.installed
tools/asyncapi/node_modules/.installed: tools/asyncapi/package.json tools/asyncapi/package-lock.json
	npm ci --prefix tools/asyncapi --no-audit --no-fund --loglevel=error
	touch $@

# 大屏: the dashboard Analytics serves at /, bundled from web/ (ECharts, esbuild; versions pinned in
# web/package-lock.json) into services/analytics/adapters/static/, which git ignores.
DASHBOARD := services/analytics/adapters/static
web/node_modules/.installed: web/package.json web/package-lock.json
	npm ci --prefix web --no-audit --no-fund --loglevel=error
	touch $@

dashboard: $(DASHBOARD)/.built
$(DASHBOARD)/.built: web/node_modules/.installed web/build.mjs $(wildcard web/dashboard/*)
	node web/build.mjs $(DASHBOARD)
	touch $@

# Debian's Chromium for the dashboard's browser test (tests/analytics/test_dashboard.py), driven by
# playwright-core: no browser download, the distribution's package; a CJK font so its screenshots read.
chromium:
	@{ command -v chromium && fc-list :lang=zh | grep -q .; } >/dev/null 2>&1 || { apt-get update -q && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-wqy-microhei; }

schemas: install
	$(BIN)/python -m schemas.generate

release-schemas: install
	$(BIN)/python -m schemas.generate --release

run: install kafka-jars dashboard
	$(BIN)/python -m devstack.run

test: install kafka-jars asyncapi-tools dashboard chromium
	$(BIN)/pytest

# Longer fuzzing than `make test` does (tests/fuzz): more cases per HTTP operation, more malformed
# messages per Kafka topic. `make fuzz [FUZZ_EXAMPLES=…] [FUZZ_MESSAGES=…]`.
.PHONY: fuzz
FUZZ_EXAMPLES ?= 100
FUZZ_MESSAGES ?= 300
fuzz: install kafka-jars
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) FUZZ_MESSAGES=$(FUZZ_MESSAGES) $(BIN)/pytest tests/fuzz

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy casekit cityconfig services schemas devstack bench tests docs/examples
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install kafka-jars
	$(BIN)/python -m bench.eventstore
	$(BIN)/python -m bench.intake
	$(BIN)/python -m bench.resolution
	$(BIN)/python -m bench.routing_latency
	$(BIN)/python -m bench.closure_timers
	$(BIN)/python -m bench.patrol_track
	$(BIN)/python -m bench.analytics

# Rebuild a service's read models from offset 0 while it runs (ADR 0009):
# `make rebuild [SERVICE=analytics|intake] [PROJECTIONS=…]`. Uses DATABASE_URL and
# KAFKA_BOOTSTRAP_SERVERS, or the stack `make run` started (.run/stack.env), connecting
# as the service's own role (<SERVICE>_DATABASE_URL there, ADR 0011).
SERVICE ?= analytics
rebuild: install
	@if [ -z "$$DATABASE_URL" ] && [ -f .run/stack.env ]; then set -a; . ./.run/stack.env; set +a; \
		DATABASE_URL="$$(printenv $$(echo $(SERVICE) | tr a-z A-Z)_DATABASE_URL)"; export DATABASE_URL; \
		if [ -z "$$INTAKE_PII_KEY" ] && [ -f .run/pii.key ]; then INTAKE_PII_KEY="$$(cat .run/pii.key)"; export INTAKE_PII_KEY; fi; fi; \
		$(BIN)/python -m services.$(SERVICE).rebuild $(PROJECTIONS)

# Import a legacy system's cases (docs/legacy-import.md): `make import-legacy FILE=cases.csv`. Uses
# INTAKE_/DISPATCH_/CLOSURE_DATABASE_URL (or DATABASE_URL), or the stack `make run` started.
.PHONY: import-legacy
import-legacy: install
	@test -n "$(FILE)" || { echo "usage: make import-legacy FILE=cases.csv" >&2; exit 2; }
	@if [ -z "$$DATABASE_URL" ] && [ -f .run/stack.env ]; then set -a; . ./.run/stack.env; set +a; fi; \
		$(BIN)/python -m tools.import_legacy "$(FILE)"

# A demo token for any role, unit and areas, signed by the local issuer `make run` trusts:
# `make token ROLE=unit_staff UNIT=sanitation` or `make token ROLE=grid_member AREAS=320302006008002`.
ROLE ?= admin
UNIT ?=
AREAS ?=
token: install
	@$(BIN)/python -m devstack.issuer token --role "$(ROLE)" --unit "$(UNIT)" --areas "$(AREAS)"

# A CycloneDX SBOM (JSON) of the pinned dependencies as installed in the venv (constraints.txt);
# docs/operations.md says how to audit it. `make sbom [SBOM=path]`.
SBOM ?= build/sbom.cdx.json
sbom: install
	mkdir -p $(dir $(SBOM))
	$(BIN)/cyclonedx-py environment $(VENV) --pyproject pyproject.toml --output-reproducible -o $(SBOM)

clean:
	rm -rf .run $(VENV) $(KAFKA_LIBS) tools/asyncapi/node_modules web/node_modules $(DASHBOARD)
