#!/usr/bin/env bash
# Prints the absolute path of the component that the build and test scripts work on: COMPONENT
# (absolute, or relative to the repository root, as the Makefile exports it), else the output of
# `make component`. Exits with 1 and a message on stderr when the file does not exist.
#
# Usage: component="$(bash scripts/component-path.sh CALLER)", where CALLER prefixes the message.
set -euo pipefail

caller="${1:-component-path}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
component="${COMPONENT:-target/wasm32-wasip2/wasm-release/graph_token_exchange.wasm}"
if [[ "$component" != /* ]]; then
  component="$repo_root/$component"
fi
if [[ ! -f "$component" ]]; then
  echo "$caller: component not found at $component; run 'make component' first, or set COMPONENT" >&2
  exit 1
fi
echo "$component"
