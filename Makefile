PY ?= python3
VENV ?= .venv
BIN = $(VENV)/bin
TEST_DATABASE_URL ?= postgresql+asyncpg://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: install run migrate test lint services seed sdl bench

$(BIN)/minbil: pyproject.toml
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[test]"
	touch $(BIN)/minbil

install: $(BIN)/minbil

run: install
	$(BIN)/minbil serve

services:
	@bash .ci/services

migrate: install
	$(BIN)/minbil migrate

test: install
ifeq ($(origin TEST_DATABASE_URL)$(origin TEST_REDIS_URL),filefile)
	@bash .ci/services >/dev/null  # the default local servers: start them if they are down
endif
	TEST_DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) $(BIN)/pytest $(PYTEST_ARGS)

lint: install  # style, types and the layer contracts (the cycle test runs with the suite)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

sdl: install
	$(BIN)/minbil export-schema > graphql_api/schema.graphql
