# Vitrina: the two commands of the quick start are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

RELEASE_DIR ?= build/release
TEST_DIR    ?= build/asan
RUN_STATE   ?= .run
# Every port base sits below 32768, outside Linux's ephemeral range (32768-60999): a port there
# can be held, not listening, by any outgoing connection, and a server's bind to it then fails.
TEST_STATE  ?= .run/test
RUN_PORTS   ?= 25400
TEST_PORTS  ?= 26400
BENCH_STATE ?= .run/bench
BENCH_PORTS ?= 25700
BENCH_DURATION ?= 10
BENCH_RUNS  ?= 3
RECORD_STATE ?= .run/record
RECORD_PORTS ?= 25800
JOBS        ?= $(shell nproc)

.PHONY: help deps build run test unit integration console-screenshots bench bench-micro record-runs diagrams slides format lint clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

deps: ## Install missing apt and npm packages, Chromium included for the browser tests (idempotent)
	@tools/install-deps.sh --with-browser

build: deps ## Release build of the vitrina binary
	@cmake -S . -B $(RELEASE_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release -DVITRINA_BUILD_TESTS=OFF >/dev/null
	@ninja -C $(RELEASE_DIR) -j $(JOBS) vitrina

run: build ## Start the local services, load the dataset and serve on http://127.0.0.1:8080
	@tools/run.sh $(RELEASE_DIR)/src/vitrina $(RUN_STATE) $(RUN_PORTS)

test: deps ## Unit and integration tests under AddressSanitizer and UBSan
	@cmake -S . -B $(TEST_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Debug -DVITRINA_SANITIZE=ON >/dev/null
	@ninja -C $(TEST_DIR) -j $(JOBS)
	@$(MAKE) --no-print-directory unit integration

unit: ## Unit tests only (no servers); a skipped test fails the run (tools/ctest-strict.py)
	@tools/ctest-strict.py $(TEST_DIR) -L unit --output-on-failure -j $(JOBS)

integration: ## Integration tests against real services started for the run
	@VITRINA_REQUIRE_SERVICES=1 WITH_REDIS_CLUSTER=1 tools/with-services.sh $(TEST_STATE) $(TEST_PORTS) -- \
	  tools/ctest-strict.py $(TEST_DIR) -L integration --output-on-failure

console-screenshots: build ## Refresh docs/img/console-*.png: the browser test against a release build
	@VITRINA_REQUIRE_SERVICES=1 VITRINA_REQUIRE_BROWSER=1 tools/with-services.sh $(TEST_STATE) $(TEST_PORTS) -- \
	  tests/integration/console/console_itest.sh $(RELEASE_DIR)/src/vitrina docs/img

bench: build bench-micro ## Load-test report (cache off/on vs nginx and pgbench; sort/fields/total, compression -> docs/results/) -> docs/performance.md, then make slides
	@bench/catalog/query.sh $(RELEASE_DIR)/src/vitrina $(BENCH_STATE)/query $(BENCH_PORTS) docs/results/catalog-query
	@bench/load/compression.sh $(RELEASE_DIR)/src/vitrina $(BENCH_STATE)-compression $(BENCH_PORTS)
	@BENCH_DURATION=$(BENCH_DURATION) BENCH_RUNS=$(BENCH_RUNS) \
	  bench/load/run.sh $(RELEASE_DIR)/src/vitrina $(BENCH_STATE) $(BENCH_PORTS)
	@$(MAKE) --no-print-directory slides

bench-micro: deps ## Micro-benchmarks (token checks, telemetry) -> docs/results/micro-benchmarks.json and the docs' figures
	@bench/micro/run.sh $(RELEASE_DIR)

record-runs: build ## Record an ETL run and the cache demo on local services -> docs/results/ (the deck's figures)
	@tools/record-runs.sh $(RELEASE_DIR)/src/vitrina $(RECORD_STATE) $(RECORD_PORTS)

diagrams: ## Render docs/diagrams/*.dot -> docs/img/*.svg, *.png (figures from the committed results)
	@tools/diagrams.sh

slides: diagrams ## The deck docs/presentation.pptx from docs/slides/presentation.md and the committed results
	@tools/slides.sh

format: ## Reformat the C++ sources
	@find src tests bench -name '*.[ch]pp' | xargs clang-format -i

lint: ## Layer check, clang-format check and clang-tidy
	@tools/check-layers.py
	@find src tests bench -name '*.[ch]pp' | xargs clang-format --dry-run --Werror
	@cmake -S . -B build/dev -G Ninja -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@find src -name '*.cpp' | xargs -P $(JOBS) -n 4 clang-tidy -p build/dev --quiet

clean: ## Remove build folders (not .run, which holds the local services' data)
	@rm -rf build
