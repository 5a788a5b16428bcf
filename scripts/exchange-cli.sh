#!/usr/bin/env bash
# Exchanges a short-lived Meta access token for a long-lived one by running the component under
# the wasmtime CLI, and prints the result as a WAVE value.
#
# Usage: scripts/exchange-cli.sh APP_ID SHORT_TOKEN [BASE_URL]
#
# The app secret comes from the environment, never from an argument, so that it stays out of
# shell history:
#   META_APP_SECRET       the app secret itself, or
#   META_APP_SECRET_FILE  a file that contains it (trailing newlines are removed).
# Optional:
#   WASMTIME   the wasmtime binary; default $TOOLS_DIR/bin/wasmtime if present, else `wasmtime`
#   COMPONENT  the component; default target/wasm32-wasip2/wasm-release/graph_token_exchange.wasm
#              in this repository (`make component` builds it)
#
# Without BASE_URL the request goes to the real Graph host of the token's platform.
# The platform is chosen from the token prefix: TH selects threads, IG instagram, else facebook.
#
# Exit status: 0 when the output is ok(...), 1 when it is err(...), 2 for a usage error, and the
# status of wasmtime when it fails before printing a result.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  echo "usage: $(basename "$0") APP_ID SHORT_TOKEN [BASE_URL]" >&2
  echo "  set META_APP_SECRET or META_APP_SECRET_FILE to pass the app secret" >&2
}

# Prints VALUE as a WAVE string literal: quotes around it, with backslash, double quote and the
# newline, carriage return and tab characters escaped.
wave_string() {
  local value="$1"
  value="${value//\\/\\\\}"
  value="${value//\"/\\\"}"
  value="${value//$'\n'/\\n}"
  value="${value//$'\r'/\\r}"
  value="${value//$'\t'/\\t}"
  printf '"%s"' "$value"
}

read_app_secret() {
  if [[ -n "${META_APP_SECRET:-}" && -n "${META_APP_SECRET_FILE:-}" ]]; then
    echo "exchange-cli: both META_APP_SECRET and META_APP_SECRET_FILE are set; unset one of them" >&2
    return 2
  fi

  if [[ -n "${META_APP_SECRET_FILE:-}" ]]; then
    if [[ ! -r "$META_APP_SECRET_FILE" ]]; then
      echo "exchange-cli: META_APP_SECRET_FILE '$META_APP_SECRET_FILE' is not a readable file" >&2
      return 2
    fi
    # $(<file) removes trailing newlines, so a file written by `echo` works.
    app_secret="$(<"$META_APP_SECRET_FILE")"
  else
    app_secret="${META_APP_SECRET:-}"
  fi

  if [[ -z "$app_secret" ]]; then
    echo "exchange-cli: missing app secret; set META_APP_SECRET, or META_APP_SECRET_FILE to a file that contains it" >&2
    return 2
  fi
}

find_wasmtime() {
  if [[ -n "${WASMTIME:-}" ]]; then
    wasmtime_bin="$WASMTIME"
  elif [[ -x "${TOOLS_DIR:-$repo_root/.tools}/bin/wasmtime" ]]; then
    wasmtime_bin="${TOOLS_DIR:-$repo_root/.tools}/bin/wasmtime"
  elif command -v wasmtime >/dev/null; then
    wasmtime_bin="$(command -v wasmtime)"
  else
    echo "exchange-cli: wasmtime not found; run 'make wasmtime-cli' or set WASMTIME to its path" >&2
    return 2
  fi
}

main() {
  if [[ $# -lt 2 || $# -gt 3 ]]; then
    usage
    return 2
  fi
  local app_id="$1" short_token="$2" base_url="${3:-}"

  local app_secret
  read_app_secret || return

  local wasmtime_bin
  find_wasmtime || return

  local component="${COMPONENT:-target/wasm32-wasip2/wasm-release/graph_token_exchange.wasm}"
  if [[ "$component" != /* ]]; then
    component="$repo_root/$component"
  fi
  if [[ ! -f "$component" ]]; then
    echo "exchange-cli: component '$component' not found; run 'make component' or set COMPONENT" >&2
    return 2
  fi

  # `{:}` is WAVE for a record whose fields are all left out, here all `none`.
  local options="{:}"
  if [[ -n "$base_url" ]]; then
    options="{base-url: some($(wave_string "$base_url"))}"
  fi
  local call
  call="exchange-token-with($(wave_string "$app_id"), $(wave_string "$app_secret"), $(wave_string "$short_token"), $options)"

  # NOTE: wasmtime accepts the call only as a command-line argument, so the secret is in
  # wasmtime's argument list for as long as it runs. Other local users can read that list through
  # /proc unless /proc is mounted with hidepid=2.
  local output
  output="$("$wasmtime_bin" run -S http --invoke "$call" "$component")"
  printf '%s\n' "$output"

  if [[ "$output" == err\(* ]]; then
    return 1
  fi
}

main "$@"
