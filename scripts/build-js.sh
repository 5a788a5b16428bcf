#!/usr/bin/env bash
# Transpiles the component into the npm package in js/: jco (through scripts/jco.sh, which
# installs js/'s locked dependencies) writes JavaScript, core wasm and TypeScript declarations
# into js/dist.
#
# COMPONENT is the component's path, absolute or relative to the repository root; the Makefile
# exports it. Works from any directory and may be run again at any time.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
js_dir="$repo_root/js"
component="$(bash "$repo_root/scripts/component-path.sh" build-js)"

# Transpile into a fresh directory next to dist and swap it in, so that dist never mixes files of
# two builds and a failed build leaves the previous dist in place.
staging="$(mktemp -d "$js_dir/.dist-staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
bash "$repo_root/scripts/jco.sh" transpile "$component" --out-dir "$staging" --name graph-token-exchange --quiet

for expected in graph-token-exchange.js graph-token-exchange.d.ts graph-token-exchange.core.wasm \
  interfaces/graph-token-exchange-exchange.d.ts; do
  if [[ ! -f "$staging/$expected" ]]; then
    echo "build-js: jco did not write $expected; check the jco output above" >&2
    exit 1
  fi
done

rm -rf "$js_dir/dist"
chmod 755 "$staging"
mv "$staging" "$js_dir/dist"
echo "build-js: transpiled $component into $js_dir/dist"
