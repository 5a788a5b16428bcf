#!/usr/bin/env bash
# Prints the absolute path of a component that the build and test scripts work on: the value of
# VARIABLE (absolute, or relative to the repository root, as the Makefile exports it), else
# DEFAULT. Without VARIABLE and DEFAULT, these are COMPONENT and the output of
# `make component`. Exits with 1 and a message on stderr when the file does not exist.
#
# Usage: component="$(bash scripts/component-path.sh CALLER [VARIABLE DEFAULT MAKE_TARGET])",
# where CALLER prefixes the message and MAKE_TARGET is the make target that builds the file.
set -euo pipefail

caller="${1:-component-path}"
variable="${2:-COMPONENT}"
default="${3:-target/wasm32-wasip2/wasm-release/graph_token_exchange.wasm}"
make_target="${4:-component}"
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
component="${!variable:-$default}"
if [[ "$component" != /* ]]; then
  component="$repo_root/$component"
fi
if [[ ! -f "$component" ]]; then
  echo "$caller: component not found at $component; run 'make $make_target' first, or set $variable" >&2
  exit 1
fi
echo "$component"
