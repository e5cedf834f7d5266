# `make run` and `make test` do all their own set-up on a fresh machine: the virtualenv, the pip
# installs (torch pinned to the CPU build before argostranslate pulls it in) and, for the tests, the
# Debian packages they drive (chromium, gettext's msgfmt, libxml2-utils' xmllint).

VENV   ?= .venv
PYTHON ?= python3
PORT   ?= 5000
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
DEBS    = chromium gettext libxml2-utils
SUDO    = $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: install run test system-deps bench screenshots clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test,bench]'
	touch $(STAMP)

system-deps:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v msgfmt   >/dev/null || missing="$$missing gettext"; \
	command -v xmllint  >/dev/null || missing="$$missing libxml2-utils"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi

run: install
	@echo "the workbench command is $(BIN)/workbench (or '. $(BIN)/activate', then workbench)"
	$(BIN)/workbench serve --data . --port $(PORT)

test: install system-deps
	$(BIN)/python -m pytest

bench: install
	$(BIN)/pip install --quiet -e '.[bench]'
	$(BIN)/python benchmarks/translate_throughput.py
	$(BIN)/python benchmarks/embed_throughput.py
	$(BIN)/python benchmarks/align_textberg.py
	$(BIN)/python benchmarks/align_partial.py
	$(BIN)/python benchmarks/align_scaling.py
	$(BIN)/python benchmarks/export_scale.py
	$(BIN)/python benchmarks/serve_load.py
	$(BIN)/python benchmarks/check_precision.py
	$(BIN)/python benchmarks/batch_scale.py
	$(BIN)/python benchmarks/tm_lookup.py
	$(BIN)/python benchmarks/new_comparison.py

# the README's pictures, taken by the browser tests from the pages as they are now
screenshots: install system-deps
	WORKBENCH_SCREENSHOTS=docs $(BIN)/python -m pytest tests/test_browser.py -k "quoted_petition or review_link or memory_matches"
	WORKBENCH_SCREENSHOTS=docs $(BIN)/python -m pytest tests/test_browser_sources.py -k side_by_side
	WORKBENCH_SCREENSHOTS=docs $(BIN)/python -m pytest tests/test_browser_findings.py tests/test_browser_names.py
	WORKBENCH_SCREENSHOTS=docs $(BIN)/python -m pytest tests/test_browser_new.py -k "3.0"

clean:
	rm -rf $(VENV) .pytest_cache
