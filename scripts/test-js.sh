#!/usr/bin/env bash
# Tests the npm package in js/ against the transpiled component: type-checks the TypeScript
# example with tsc, then runs the node:test suite in js/test (mock Graph servers run as child
# processes on 127.0.0.1). Expects js/dist from scripts/build-js.sh (`make js`).
set -euo pipefail

js_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../js" && pwd)"
cd "$js_dir"

if [[ ! -f dist/graph-token-exchange.js || ! -d node_modules ]]; then
  echo "test-js: js/dist or js/node_modules is missing; run 'make js' first" >&2
  exit 1
fi

echo "test-js: tsc --noEmit on examples/"
node node_modules/typescript/bin/tsc -p tsconfig.json --noEmit

echo "test-js: node --test"
node --test test/*.test.mjs
