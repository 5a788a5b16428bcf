#!/usr/bin/env bash
# Runs the jco that js/package-lock.json pins, with the given arguments: `bash scripts/jco.sh
# transpile ...`, `bash scripts/jco.sh opt ...`. Installs js/'s locked dependencies first when
# the lock file changed since the last install. Works from any directory.
set -euo pipefail

js_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../js" && pwd)"

command -v node >/dev/null || { echo "jco: node not found; install Node.js 20 or later" >&2; exit 1; }
command -v npm >/dev/null || { echo "jco: npm not found; install npm with Node.js" >&2; exit 1; }

# npm ci deletes and reinstalls node_modules, which takes a while, so it runs only when the lock
# file differs from the one of the last successful install (its hash is kept in node_modules).
lock_hash="$(sha256sum "$js_dir/package-lock.json" | cut -d' ' -f1)"
stamp="$js_dir/node_modules/.installed-lock-sha256"
if [[ -f "$stamp" && "$(cat "$stamp")" == "$lock_hash" ]]; then
  echo "jco: js/node_modules matches package-lock.json; skipping npm ci"
else
  echo "jco: npm ci in js/"
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

node "$jco_entry" "$@"
