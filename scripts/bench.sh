#!/usr/bin/env bash
# Runs every benchmark and prints the machine it ran on: the criterion benchmarks of the
# component in wasmtime (host-tests/benches/component.rs), then the Node benchmark of the jco
# package (js/bench/exchange.bench.mjs). Expects the component (`make component`) and js/dist
# (`make js`). Figures are printed only; no time makes this script fail.
#
# CARGO_BENCH_ARGS is passed after `--` to the criterion benchmark, for example a filter such as
# `single-exchange`. BENCH_TIME_MS sets how long each Node task runs (default 5000).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

echo "bench: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(. /etc/os-release && echo "$PRETTY_NAME"), kernel $(uname -r)"
echo "bench: load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"

# shellcheck disable=SC2086 # CARGO_BENCH_ARGS is split into words on purpose.
"${CARGO:-cargo}" bench --locked -p graph-token-host --bench component -- ${CARGO_BENCH_ARGS:-}

if [[ ! -f js/dist/graph-token-exchange.js || ! -d js/node_modules ]]; then
  echo "bench: js/dist or js/node_modules is missing; run 'make js' first" >&2
  exit 1
fi
(cd js && node bench/exchange.bench.mjs)
