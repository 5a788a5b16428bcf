#!/usr/bin/env bash
# Transpiles the component into the npm package in js/: installs js/'s locked dependencies, then
# has jco write JavaScript, core wasm and TypeScript declarations into js/dist.
#
# COMPONENT is the component's path, absolute or relative to the repository root; the Makefile
# exports it. Works from any directory and may be run again at any time.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
js_dir="$repo_root/js"
component="${COMPONENT:-target/wasm32-wasip2/wasm-release/graph_token_exchange.wasm}"
case "$component" in
  /*) ;;
  *) component="$repo_root/$component" ;;
esac

if [[ ! -f "$component" ]]; then
  echo "build-js: component not found at $component; run 'make component' first, or set COMPONENT" >&2
  exit 1
fi
command -v node >/dev/null || { echo "build-js: node not found; install Node.js 20 or later" >&2; exit 1; }
command -v npm >/dev/null || { echo "build-js: npm not found; install npm with Node.js" >&2; exit 1; }

# npm ci deletes and reinstalls node_modules, which takes a while, so it runs only when the lock
# file differs from the one of the last successful install (its hash is kept in node_modules).
lock_hash="$(sha256sum "$js_dir/package-lock.json" | cut -d' ' -f1)"
stamp="$js_dir/node_modules/.installed-lock-sha256"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
  echo "build-js: js/node_modules matches package-lock.json; skipping npm ci"
else
  echo "build-js: npm ci in js/"
  (cd "$js_dir" && npm ci --no-audit --no-fund)
  echo "$lock_hash" > "$stamp"
fi

# Run jco through node on the entry point that jco's package.json names in its `bin` field.
jco_package="$js_dir/node_modules/@bytecodealliance/jco/package.json"
jco_entry="$(node -e '
  const manifest = require(process.argv[1]);
  const bin = typeof manifest.bin === "string" ? manifest.bin : manifest.bin.jco;
  console.log(require("node:path").join(require("node:path").dirname(process.argv[1]), bin));
' "$jco_package")"

# Transpile into a fresh directory next to dist and swap it in, so that dist never mixes files of
# two builds and a failed build leaves the previous dist in place.
staging="$(mktemp -d "$js_dir/.dist-staging.XXXXXX")"
trap 'rm -rf "$staging"' EXIT
node "$jco_entry" transpile "$component" --out-dir "$staging" --name graph-token-exchange --quiet

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
