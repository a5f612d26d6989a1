# make demo / make test install what they need themselves: a venv, the package, Chromium.
VENV      ?= .venv
PYTHON    ?= python3
BIN       := $(VENV)/bin
STAMP     := $(VENV)/.installed
PYTEST_ARGS ?=

.PHONY: test demo bench bench-capture bench-verify bench-match bench-scale bench-service lint chromium postgresql clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	$(BIN)/pip install -q -e tests/plugin_example
	touch $(STAMP)

# Playwright's own browser when present (playwright install chromium), else Debian's packages:
# chromium, and chromium-headless-shell (the tool prefers it: new contexts cost far less CPU;
# without it the tool uses chromium); poppler-utils (pdftotext, pdftoppm) for the report tests.
chromium:
	@PKGS=""; \
	if [ -z "$$ARCHIVER_BROWSER" ] && ! ls $$HOME/.cache/ms-playwright/chromium-*/chrome-linux/chrome >/dev/null 2>&1; then \
		[ -x /usr/bin/chromium ] || PKGS=" chromium"; \
		[ -x /usr/bin/chromium-headless-shell ] || PKGS="$$PKGS chromium-headless-shell"; \
	fi; \
	command -v pdftotext >/dev/null && command -v pdftoppm >/dev/null || PKGS="$$PKGS poppler-utils"; \
	if [ -n "$$PKGS" ]; then \
		echo "installing Debian packages:$$PKGS"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$PKGS >/dev/null; \
	fi

# ReplayWeb.page for tests/test_wacz_replayweb.py, exactly as tests/replayweb/package-lock.json pins it.
REPLAYWEB := tests/replayweb
$(REPLAYWEB)/node_modules/.installed: $(REPLAYWEB)/package-lock.json
	@command -v npm >/dev/null || { \
		echo "installing Debian packages: nodejs npm"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm >/dev/null; \
	}
	cd $(REPLAYWEB) && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

# PostgreSQL for tests/test_service_postgres.py (the service on a shared database): the server
# binaries only; the test starts its own throwaway server.
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
		echo "installing Debian packages: postgresql"; \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq postgresql >/dev/null; \
	}

test: $(STAMP) chromium postgresql $(REPLAYWEB)/node_modules/.installed
	$(BIN)/pytest -n 2 --dist loadscope $(PYTEST_ARGS)

demo: $(STAMP) chromium
	$(BIN)/python demo/run_demo.py

bench: bench-capture bench-verify bench-match bench-scale

bench-capture: $(STAMP) chromium
	$(BIN)/python bench/capture.py

# Needs about twice BENCH_BIG x BENCH_WARC_BYTES (default 4 x 1 GiB) free on disk.
bench-verify: $(STAMP)
	$(BIN)/python -u bench/verify.py

# The PDQ index over 10M hashes against faiss brute force (the peer and the ground truth).
# About 2 GiB of memory (the ground truth holds the hashes twice) and 10-20 minutes on 2 cores.
bench-match: $(STAMP)
	$(BIN)/pip install -q -e '.[bench]'
	$(BIN)/python -u bench/match.py

# A Dask scheduler and two workers on loopback against this machine alone (docs/scale.md).
# Needs about BENCH_BUNDLES x BENCH_BUNDLE_BYTES (default 1500 x 1 MiB) free on disk.
bench-scale: $(STAMP) chromium
	$(BIN)/python -u bench/scale.py

# archiver serve under load: BENCH_BUNDLES (10000) bundles, BENCH_JOBS (200) captures, BENCH_CLIENTS (50) pollers.
bench-service: $(STAMP) chromium
	$(BIN)/python -u bench/service.py

lint: $(STAMP)
	$(BIN)/ruff check archiver plugins storage cli.py tests bench demo
	$(BIN)/mypy

clean:
	rm -rf $(VENV) demo-evidence demo-exhibits $(REPLAYWEB)/node_modules
