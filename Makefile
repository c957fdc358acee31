# drillbook: `make drill` runs the built-in database-outage drill, `make test` the whole suite.
# Both set up what they need first: virtualenv, Docker engine, images.

VENV      ?= .venv
PYTHON    ?= python3
BIN       := $(VENV)/bin
DRILLBOOK := $(BIN)/drillbook
OUT       ?= out
DRILL     ?= db-outage

.PHONY: help setup venv docker images promtool browser zsh drill gameday test unit lint bench bench-dr bench-cluster bench-registry bench-rollbacks clean

help:
	@echo "make drill   set up, run drills/catalog/db-outage.yaml, write $(OUT)/db-outage/"
	@echo "             (DRILL=bad-deploy or DRILL=memory-leak runs another built-in drill)"
	@echo "make gameday set up, run every built-in drill (drills/catalog/nightly.yaml), write $(OUT)/gameday/"
	@echo "make test    set up, ruff, mypy, then every test (integration tests run real drills)"
	@echo "make unit    unit tests only (no Docker), for the edit-test loop"
	@echo "make lint    ruff and mypy"
	@echo "make bench   benchmarks under bench/: accuracy, overheads, catalog time (several minutes)"
	@echo "make bench-dr the database procedures: 1 GB restore vs pg_restore -j 2, failover, PITR RPO (~10 min)"
	@echo "make bench-cluster the local Swarm cluster: set-up, image copy, a cut node marked down (~1 min, root)"
	@echo "make bench-registry filling a cluster's nodes: save/load against Debian's docker-registry (~2 min, root)"
	@echo "make bench-rollbacks a bad rollout on the swarm: docker service rollback against git revert (~4 min, root)"
	@echo "make images  build the Debian base (if missing) and drillbook's images"
	@echo "make browser install Debian's chromium and poppler-utils (pages opened, PDFs printed and rendered)"
	@echo "make clean   remove the virtualenv, build and out folders"

# The packages installed by uv (itself installed by pip): a clean clone's virtualenv in 6-9 s,
# not pip's 37 s (measured here), with the same versions (the two `pip freeze` agree).
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e '.[dev]'
	touch $@

venv: $(BIN)/.installed

docker:
	@scripts/docker-engine.sh

# Prometheus's promtool, unpacked from Debian's package into the virtualenv (not installed:
# the package would start a Prometheus service): the judge of rules files and exported metrics.
promtool: venv
	@scripts/promtool.sh $(BIN)

images: venv docker
	@scripts/base-image.sh debian:bookworm-slim
	@$(DRILLBOOK) images

setup: images promtool

# Debian's Chromium, for the tests that open real pages and print them to PDF, and poppler's
# pdftoppm, for the test that renders those PDF pages to PNG.
browser:
	@command -v chromium >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium and poppler-utils (one time)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium poppler-utils >/dev/null; }; }

# Debian's zsh, for the unit test that loads the generated zsh completion.
zsh:
	@command -v zsh >/dev/null 2>&1 || { \
	  echo "installing Debian's zsh (one time)"; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zsh >/dev/null 2>&1 || \
	  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq zsh >/dev/null; }; }

drill: setup
	$(DRILLBOOK) run drills/catalog/$(DRILL).yaml --out $(OUT)/$(DRILL)

gameday: setup
	$(DRILLBOOK) gameday drills/catalog/nightly.yaml --out $(OUT)/gameday

bench: setup
	$(BIN)/python -m bench.run
	$(BIN)/python -m bench.cluster

bench-dr: setup
	$(BIN)/python -m bench.dr

bench-registry: setup
	command -v docker-registry >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker-registry >/dev/null
	$(BIN)/python -m bench.registry

bench-cluster: setup
	$(BIN)/python -m bench.cluster

bench-rollbacks: setup
	$(BIN)/python -m bench.rollbacks

# mypy's cache is kept where the image wheels are (the user's cache folder), not in the tree
# typecheck-tree.sh lays out afresh: a cold check of the whole project is a minute of one core,
# a warm one (any checkout on this machine, even a new clone) a few seconds for what changed.
MYPY_CACHE ?= $(or $(DRILLBOOK_CACHE),$(or $(XDG_CACHE_HOME),$(HOME)/.cache)/drillbook)/mypy

lint: venv
	$(BIN)/ruff check .
	$(BIN)/python scripts/sizes.py
	@scripts/typecheck-tree.sh build/typecheck
	cd build/typecheck && ../../$(BIN)/mypy --config-file ../../pyproject.toml --cache-dir "$(abspath $(MYPY_CACHE))"

# Three workers on two cores, each taking work from the others when idle: most unit tests wait on
# sockets and timers, so a third overlaps their waits (measured: 38-42 s against 40-48 s with two).
unit: venv zsh promtool
	$(BIN)/pytest -m "not docker and not slow" -q -n 3 --dist worksteal

# The real drills whose tests read a timing one at a time (two drills at once on two cores now and
# then saw a probe wait past its one-second timeout), and beside them, at a lower CPU priority,
# everything that judges outcomes, not timings, in two lanes: the tests marked `beside` (engine
# tests, and drills judged by verdicts, steps and files; two processes at nice 10, their containers
# at the matching CPU weight); and, at nice 19, what needs no engine (two processes, pytest-xdist),
# then the drills on a local Swarm cluster, marked `swarm`; last, alone, the drills marked `quiet`
# (docs/design.md, "How the tests run").
test: setup browser zsh lint
	@scripts/test-lanes.sh $(BIN)

clean:
	rm -rf $(VENV) build $(OUT) .mypy_cache .ruff_cache .pytest_cache
