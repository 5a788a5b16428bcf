#!/usr/bin/env bash
# Builds the release component, dist/graph_token_exchange.wasm, from the `make component` build:
#   1. binaryen's wasm-opt -Oz on the core module, through `jco opt` (scripts/jco.sh), which
#      also drops the core module's debug and producers sections;
#   2. strip-component (host-tests/src/bin/strip-component.rs) drops the component's own custom
#      sections (`component-name`, `producers`) and validates the result.
# Prints the size after each step. COMPONENT is the input, absolute or relative to the
# repository root; the Makefile exports it. Works from any directory.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
component="$(bash "$repo_root/scripts/component-path.sh" release)"

dist_dir="$repo_root/dist"
output="$dist_dir/graph_token_exchange.wasm"
mkdir -p "$dist_dir"
work_dir="$(mktemp -d)"
trap 'rm -rf "$work_dir"' EXIT

# wasm-opt rejects a module that uses a feature it was not given. These are the features that
# rustc 1.95 enables for wasm32-wasip2 (`rustc --print cfg --target wasm32-wasip2`): bulk
# memory, multivalue, mutable globals, non-trapping float-to-int, reference types, sign extension.
wasm_opt_features=(
  --enable-bulk-memory --enable-bulk-memory-opt --enable-multivalue --enable-mutable-globals
  --enable-nontrapping-float-to-int --enable-reference-types --enable-sign-ext
)
bash "$repo_root/scripts/jco.sh" opt "$component" -o "$work_dir/optimized.wasm" --quiet -- \
  -Oz "${wasm_opt_features[@]}" --strip-debug --strip-producers

cargo run --locked -q --manifest-path "$repo_root/Cargo.toml" -p graph-token-host \
  --bin strip-component -- "$work_dir/optimized.wasm" "$work_dir/stripped.wasm" >/dev/null
mv "$work_dir/stripped.wasm" "$output"

size() { stat -c %s "$1"; }
echo "release: cargo build (wasm-release profile)   $(size "$component") bytes"
echo "release: after wasm-opt -Oz                   $(size "$work_dir/optimized.wasm") bytes"
echo "release: after strip-component                $(size "$output") bytes -> ${output#"$repo_root"/}"
