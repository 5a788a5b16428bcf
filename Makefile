# Every target installs what it needs first, so each works on a fresh machine.
# `make demo` runs the main job; `make test` runs every test (and is what CI runs).

SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO ?= cargo
# Tools that cargo installs for the tests (the wasmtime CLI, cargo-fuzz). Reused across runs.
TOOLS_DIR ?= $(CURDIR)/.tools
WASMTIME_CLI_VERSION := 48.0.8
CARGO_FUZZ_VERSION := 0.13.1
COMPONENT := target/wasm32-wasip2/wasm-release/graph_token_exchange.wasm
export TOOLS_DIR COMPONENT CARGO_FUZZ_VERSION

.PHONY: help setup-rust component release demo test test-unit test-host test-release test-js \
	test-cli test-example lint js cli fuzz fuzz-smoke soak bench wasmtime-cli clean

help:
	@echo "make demo    build the component and exchange a token through it (mock Graph server unless META_* are set)"
	@echo "make test    install what the tests need and run every test"
	@echo "make component  build the component with cargo only"
	@echo "make release build dist/graph_token_exchange.wasm, the size-optimized component (needs Node.js)"
	@echo "make wasmtime-cli  install the wasmtime CLI $(WASMTIME_CLI_VERSION) into $(TOOLS_DIR) for the command-line examples"
	@echo "make cli     build the graph-token-cli command component, which reads credentials from the environment"
	@echo "make js      transpile the component into the js/ npm package"
	@echo "make bench   run the benchmarks (figures go to BENCHMARKS.md by hand)"
	@echo "make soak    run 100,000 exchanges and report resident memory"
	@echo "make fuzz    run each fuzz target for FUZZ_SECONDS (default 60)"

setup-rust:
	rustup target add wasm32-wasip2

# The component, built with the size-oriented `wasm-release` profile.
component: setup-rust
	$(CARGO) build --locked -p graph-token-exchange --target wasm32-wasip2 --profile wasm-release
	@ls -l $(COMPONENT)

# The shipped component: the build above after wasm-opt -Oz and without custom sections.
RELEASE_COMPONENT := dist/graph_token_exchange.wasm
release: component
	bash scripts/release.sh

demo: component
	$(CARGO) run --locked -q -p graph-token-host --bin demo -- $(COMPONENT)

test: lint test-unit test-host test-release test-example test-js test-cli fuzz-smoke
	@echo "make test: every suite passed"

test-unit:
	$(CARGO) test --locked -p graph-token-exchange
	$(CARGO) test --locked --manifest-path cli/Cargo.toml

test-host: component
	$(CARGO) test --locked -p graph-token-host

# The host suite again, against the optimized release component.
test-release: release
	COMPONENT=$(RELEASE_COMPONENT) $(CARGO) test --locked -p graph-token-host --tests

test-example: component
	$(CARGO) run --locked -q -p graph-token-host --example embed -- $(COMPONENT)

# The last clippy run builds the host crate as an embedding does, without the test servers.
lint: setup-rust
	rustup component add rustfmt clippy
	$(CARGO) fmt --all --check
	$(CARGO) clippy --locked -p graph-token-exchange --target wasm32-wasip2 -- -D warnings
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings
	$(CARGO) clippy --locked -p graph-token-host --no-default-features --lib -- -D warnings
	$(CARGO) fmt --manifest-path cli/Cargo.toml --check
	$(CARGO) clippy --locked --manifest-path cli/Cargo.toml --all-targets -- -D warnings
	$(CARGO) clippy --locked --manifest-path cli/Cargo.toml --target wasm32-wasip2 -- -D warnings

js: release
	COMPONENT=$(RELEASE_COMPONENT) bash scripts/build-js.sh

test-js: js
	bash scripts/test-js.sh

wasmtime-cli:
	@if [ -x "$(TOOLS_DIR)/bin/wasmtime" ] && "$(TOOLS_DIR)/bin/wasmtime" --version | grep -Eq "^wasmtime $(WASMTIME_CLI_VERSION)( |$$)"; then \
		echo "wasmtime $(WASMTIME_CLI_VERSION) already in $(TOOLS_DIR)"; \
	else \
		echo "installing wasmtime-cli $(WASMTIME_CLI_VERSION) into $(TOOLS_DIR) (about 11 minutes on two cores, once)"; \
		$(CARGO) install wasmtime-cli --locked --version $(WASMTIME_CLI_VERSION) --root "$(TOOLS_DIR)"; \
	fi

# The command component: its own cargo workspace, so its own target folder (see cli/Cargo.toml).
CLI_COMPONENT := cli/target/wasm32-wasip2/wasm-release/graph-token-cli.wasm
cli: setup-rust
	$(CARGO) build --locked --manifest-path cli/Cargo.toml --target wasm32-wasip2 --profile wasm-release
	@ls -l $(CLI_COMPONENT)

test-cli: release cli wasmtime-cli
	COMPONENT=$(RELEASE_COMPONENT) CLI_COMPONENT=$(CLI_COMPONENT) bash scripts/test-cli.sh

fuzz-smoke:
	bash scripts/fuzz.sh 10

FUZZ_SECONDS ?= 60
fuzz:
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

soak: component
	$(CARGO) run --locked --release -p graph-token-host --bin soak -- $(COMPONENT)

bench: release js
	COMPONENT=$(RELEASE_COMPONENT) bash scripts/bench.sh

clean:
	$(CARGO) clean
	$(CARGO) clean --manifest-path cli/Cargo.toml
	rm -rf js/node_modules js/dist dist
