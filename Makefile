# The README's two commands are the contract: `make run` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
KAFKA_LIBS := tools/kafka/libs

.PHONY: run test lint format bench install kafka-jars clean

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

run: install kafka-jars
	$(BIN)/python -m devstack.run

test: install kafka-jars
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy casekit services schemas devstack bench tests
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

bench: install kafka-jars
	$(BIN)/python -m bench.eventstore

clean:
	rm -rf .run $(VENV) $(KAFKA_LIBS)
