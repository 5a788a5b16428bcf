#!/usr/bin/env bash
# Tests the component through the wasmtime CLI (`wasmtime run -S http --invoke ...`) and through
# scripts/exchange-cli.sh, and tests the command component graph-token-cli. All calls go to the
# mock Graph server in scripts/cli-mock-server.py, which listens on 127.0.0.1 only. Asserts the
# printed WAVE and JSON values and the exact requests the mock received.
#
# Reads TOOLS_DIR (wasmtime is $TOOLS_DIR/bin/wasmtime), COMPONENT and CLI_COMPONENT as
# `make test-cli` exports them; a relative path is taken from the repository root. Runs from any
# directory.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/.." && pwd)"
tools_dir="${TOOLS_DIR:-$repo_root/.tools}"
wasmtime_bin="$tools_dir/bin/wasmtime"
component="$(bash "$repo_root/scripts/component-path.sh" test-cli)"
cli_component="$(bash "$repo_root/scripts/component-path.sh" test-cli CLI_COMPONENT \
  cli/target/wasm32-wasip2/wasm-release/graph-token-cli.wasm cli)"

if [[ ! -x "$wasmtime_bin" ]]; then
  echo "test-cli: $wasmtime_bin not found; run 'make wasmtime-cli' or set TOOLS_DIR" >&2
  exit 1
fi

# The lifetime in seconds that the mock returns for every token.
readonly EXPIRES_IN=5183944
readonly SECRET="cli-secret"

work_dir="$(mktemp -d)"
mock_pid=""

cleanup() {
  if [[ -n "$mock_pid" ]]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  rm -rf "$work_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- mock server ---------------------------------------------------------------------------

request_log="$work_dir/requests.jsonl"

start_mock() {
  python3 "$script_dir/cli-mock-server.py" --port-file "$work_dir/port" --log "$request_log" \
    2>"$work_dir/mock.stderr" &
  mock_pid=$!

  local waited=0
  while [[ ! -s "$work_dir/port" ]]; do
    if ! kill -0 "$mock_pid" 2>/dev/null; then
      echo "test-cli: the mock Graph server exited at start; its stderr:" >&2
      cat "$work_dir/mock.stderr" >&2
      exit 1
    fi
    if ((waited >= 100)); then
      echo "test-cli: the mock Graph server did not report its port within 10 s" >&2
      exit 1
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  touch "$request_log"
  base_url="http://127.0.0.1:$(<"$work_dir/port")"
}

# Stores the number of requests the mock has logged so far.
mark_requests() {
  request_mark="$(wc -l <"$request_log")"
}

# Prints FIELD ("target", or "query.NAME") of every request logged since mark_requests, one per line.
requests_since_mark() {
  local field="$1"
  tail -n "+$((request_mark + 1))" "$request_log" | python3 -c '
import json, sys
field = sys.argv[1]
for line in sys.stdin:
    entry = json.loads(line)
    if field.startswith("query."):
        print(entry["query"].get(field[len("query."):], "<missing>"))
    else:
        print(entry[field])
' "$field"
}

# --- checks --------------------------------------------------------------------------------

tests_passed=0
tests_failed=0
current_test=""
current_failures=0

report_failure() {
  echo "  $current_test: $1"
  current_failures=$((current_failures + 1))
}

expect_equal() {
  local what="$1" expected="$2" actual="$3"
  if [[ "$actual" != "$expected" ]]; then
    report_failure "$what: expected [$expected], got [$actual]"
  fi
}

expect_contains() {
  local what="$1" needle="$2" haystack="$3"
  if [[ "$haystack" != *"$needle"* ]]; then
    report_failure "$what: expected output to contain [$needle], got [$haystack]"
  fi
}

expect_absent() {
  local what="$1" needle="$2" haystack="$3"
  if [[ "$haystack" == *"$needle"* ]]; then
    report_failure "$what: expected output without [$needle], got [$haystack]"
  fi
}

# Runs `wasmtime run -S http --invoke CALL` on the component. Sets `output` (stdout),
# `exit_status`, and `started_at` and `finished_at` (Unix seconds) for expires-at checks.
invoke() {
  local call="$1"
  exit_status=0
  started_at="$(date +%s)"
  output="$("$wasmtime_bin" run -S http --invoke "$call" "$component" 2>"$work_dir/stderr")" ||
    exit_status=$?
  finished_at="$(date +%s)"
}

# Checks that the last wasmtime run exited with status 0, and shows its stderr when it did not.
expect_exit_success() {
  if [[ "$exit_status" != 0 ]]; then
    report_failure "wasmtime exited with status $exit_status; stderr: $(<"$work_dir/stderr")"
  fi
}

# Checks that every `expires-at: some(N)` in `output` lies within EXPIRES_IN seconds of the
# run's start and end, and sets `normalized` to `output` with each N replaced by EXPIRES_AT.
# It sets a variable instead of printing, because a failure reported in a command substitution
# would be counted in a subshell and lost.
normalize_expires_at() {
  local values value
  values="$(grep -o 'expires-at: some([0-9]*)' <<<"$output" | tr -dc '0-9\n' || true)"
  for value in $values; do
    if ((value < started_at + EXPIRES_IN || value > finished_at + EXPIRES_IN)); then
      report_failure "expires-at $value is not the wall clock plus $EXPIRES_IN seconds"
    fi
  done
  normalized="$(sed -E 's/expires-at: some\([0-9]+\)/expires-at: some(EXPIRES_AT)/g' <<<"$output")"
}

# Prints the WAVE value expected for a long-lived token from the mock.
token_wave() {
  local access_token="$1" platform="$2"
  printf 'ok({access-token: "%s", token-type: "bearer", expires-in: some(%s), expires-at: some(EXPIRES_AT), platform: %s})' \
    "$access_token" "$EXPIRES_IN" "$platform"
}

run_test() {
  current_test="$1"
  current_failures=0
  "$1"
  if ((current_failures == 0)); then
    echo "ok   $current_test"
    tests_passed=$((tests_passed + 1))
  else
    echo "FAIL $current_test"
    tests_failed=$((tests_failed + 1))
  fi
}

# --- tests: wasmtime run --invoke ------------------------------------------------------------

test_default_api_version() {
  invoke 'default-api-version()'
  expect_exit_success
  if [[ ! "$output" =~ ^\"v[0-9]+\.[0-9]+\"$ ]]; then
    report_failure "expected a quoted version such as \"v26.0\", got [$output]"
  fi
  api_version="${output//\"/}"
}

test_exchange_facebook() {
  mark_requests
  invoke "exchange-token-with(\"1234\", \"$SECRET\", \"EAAshort\", {base-url: some(\"$base_url\")})"
  expect_exit_success

  normalize_expires_at
  expect_equal "result" "$(token_wave LL-EAAshort facebook)" "$normalized"
  expect_equal "request" \
    "/$api_version/oauth/access_token?grant_type=fb_exchange_token&client_id=1234&client_secret=$SECRET&fb_exchange_token=EAAshort" \
    "$(requests_since_mark target)"
  expect_equal "Host header" "${base_url#http://}" "$(requests_since_mark host)"
}

test_exchange_threads_by_prefix() {
  mark_requests
  invoke "exchange-token-with(\"\", \"$SECRET\", \"THshort\", {base-url: some(\"$base_url\")})"
  expect_exit_success
  normalize_expires_at
  expect_equal "result" "$(token_wave LL-THshort threads)" "$normalized"
  expect_equal "request" \
    "/access_token?grant_type=th_exchange_token&client_secret=$SECRET&access_token=THshort" \
    "$(requests_since_mark target)"
}

test_exchange_instagram_options() {
  mark_requests
  invoke "exchange-token-with(\"1234\", \"$SECRET\", \"short\", {platform: some(instagram), api-version: some(\"v21.0\"), base-url: some(\"$base_url\"), timeout-ms: some(5000), max-attempts: some(1)})"
  expect_exit_success
  normalize_expires_at
  expect_equal "result" "$(token_wave LL-short instagram)" "$normalized"
  expect_equal "request" \
    "/v21.0/access_token?grant_type=ig_exchange_token&client_secret=$SECRET&access_token=short" \
    "$(requests_since_mark target)"
}

test_error_token_expired() {
  mark_requests
  invoke "exchange-token-with(\"1234\", \"$SECRET\", \"EAAexpired\", {base-url: some(\"$base_url\")})"
  expect_exit_success
  expect_contains "kind" "err({kind: token-expired, " "$output"
  expect_contains "retryable" "retryable: false, " "$output"
  expect_contains "http-status" "http-status: some(400), " "$output"
  expect_contains "graph code" "code: some(190), " "$output"
  expect_contains "graph subcode" "error-subcode: some(463), " "$output"
  expect_contains "fbtrace-id" "fbtrace-id: some(\"AcliTrace\")" "$output"
  expect_contains "attempts" "attempts: 1})" "$output"
  expect_equal "request count" 1 "$(requests_since_mark target | wc -l)"
}

test_error_rate_limited() {
  mark_requests
  invoke "exchange-token-with(\"1234\", \"$SECRET\", \"EAAthrottled\", {base-url: some(\"$base_url\")})"
  expect_exit_success
  expect_contains "kind" "err({kind: rate-limited, " "$output"
  expect_contains "retryable" "retryable: true, " "$output"
  expect_contains "graph code" "code: some(4), " "$output"
  expect_contains "app-usage" \
    'app-usage: some("{\"call_count\":100,\"total_cputime\":12,\"total_time\":15}")' "$output"
  expect_contains "retry-after-seconds" "retry-after-seconds: some(120), " "$output"
  # A rate-limited call is returned at once, because a retry spends the same quota.
  expect_contains "attempts" "attempts: 1})" "$output"
  expect_equal "request count" 1 "$(requests_since_mark target | wc -l)"
}

test_error_upstream_retried() {
  mark_requests
  invoke "exchange-token-with(\"1234\", \"$SECRET\", \"EAAunavailable\", {base-url: some(\"$base_url\"), max-attempts: some(2), timeout-ms: some(10000)})"
  expect_exit_success
  expect_contains "kind" "err({kind: upstream-unavailable, " "$output"
  expect_contains "retryable" "retryable: true, " "$output"
  expect_contains "http-status" "http-status: some(503), " "$output"
  expect_contains "attempts" "attempts: 2})" "$output"
  expect_equal "request count" 2 "$(requests_since_mark target | wc -l)"
}

test_error_redacts_secret() {
  local secret="cli-secret-to-redact"
  invoke "exchange-token-with(\"1234\", \"$secret\", \"EAAecho-secret\", {base-url: some(\"$base_url\")})"
  expect_exit_success
  expect_contains "kind" "err({kind: api-error, " "$output"
  expect_contains "graph message" "client_secret=[redacted]" "$output"
  expect_absent "secret" "$secret" "$output"
}

test_invalid_input_empty_secret() {
  mark_requests
  invoke "exchange-token-with(\"1234\", \"\", \"EAAshort\", {base-url: some(\"$base_url\")})"
  expect_exit_success
  expect_contains "kind" "err({kind: invalid-input, " "$output"
  expect_contains "message" "app-secret" "$output"
  expect_contains "retryable" "retryable: false, " "$output"
  expect_contains "attempts" "attempts: 0})" "$output"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

test_invalid_input_base_url_scheme() {
  mark_requests
  invoke "exchange-token-with(\"1234\", \"$SECRET\", \"EAAshort\", {base-url: some(\"ftp://${base_url#http://}\")})"
  expect_exit_success
  expect_contains "kind" "err({kind: invalid-input, " "$output"
  expect_contains "message" "options.base-url" "$output"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

test_refresh_threads() {
  mark_requests
  invoke "refresh-token(\"THlong\", {base-url: some(\"$base_url\")})"
  expect_exit_success
  normalize_expires_at
  expect_equal "result" "$(token_wave LL-THlong threads)" "$normalized"
  expect_equal "request" \
    "/refresh_access_token?grant_type=th_refresh_token&access_token=THlong" \
    "$(requests_since_mark target)"
}

test_refresh_facebook_rejected() {
  mark_requests
  # `{:}` is a record with every field left out; nothing is sent, so no base-url is needed.
  invoke 'refresh-token("EAAlong", {:})'
  expect_exit_success
  expect_contains "kind" "err({kind: invalid-input, " "$output"
  expect_contains "attempts" "attempts: 0})" "$output"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

test_batch_exchange() {
  mark_requests
  invoke "exchange-tokens([{app-id: \"1234\", app-secret: \"$SECRET\", short-token: \"EAAbatch1\"}, {app-id: \"\", app-secret: \"$SECRET\", short-token: \"batch2\", platform: some(threads)}, {app-id: \"1234\", app-secret: \"\", short-token: \"EAAbatch3\"}], {base-url: some(\"$base_url\"), max-concurrency: some(2)})"
  expect_exit_success

  normalize_expires_at
  local expected_prefix
  expected_prefix="[$(token_wave LL-EAAbatch1 facebook), $(token_wave LL-batch2 threads), err({kind: invalid-input, "
  expect_contains "results in input order" "$expected_prefix" "$normalized"
  expect_contains "third item attempts" "attempts: 0})]" "$normalized"

  # The two valid items run concurrently, so the mock may receive them in either order.
  local expected_requests
  expected_requests="$(printf '%s\n' \
    "/$api_version/oauth/access_token?grant_type=fb_exchange_token&client_id=1234&client_secret=$SECRET&fb_exchange_token=EAAbatch1" \
    "/access_token?grant_type=th_exchange_token&client_secret=$SECRET&access_token=batch2" | sort)"
  expect_equal "requests" "$expected_requests" "$(requests_since_mark target | sort)"
}

test_batch_refresh() {
  mark_requests
  invoke "refresh-tokens([\"THlong2\", \"IGlong3\"], {base-url: some(\"$base_url\")})"
  expect_exit_success
  normalize_expires_at
  expect_equal "results" "[$(token_wave LL-THlong2 threads), $(token_wave LL-IGlong3 instagram)]" \
    "$normalized"

  local expected_requests
  expected_requests="$(printf '%s\n' \
    "/refresh_access_token?grant_type=th_refresh_token&access_token=THlong2" \
    "/refresh_access_token?grant_type=ig_refresh_token&access_token=IGlong3" | sort)"
  expect_equal "requests" "$expected_requests" "$(requests_since_mark target | sort)"
}

test_run_without_http_fails() {
  exit_status=0
  "$wasmtime_bin" run --invoke 'default-api-version()' "$component" >/dev/null 2>"$work_dir/stderr" ||
    exit_status=$?
  if [[ "$exit_status" == 0 ]]; then
    report_failure "expected a non-zero exit status without -S http, got 0"
  fi
  expect_contains "link error" "wasi:http" "$(<"$work_dir/stderr")"
}

# The README's manual flow: the mock started by hand with --port and no test files prints its
# base URL, and an exchange through it succeeds.
test_mock_server_by_hand() {
  local banner="$work_dir/hand-mock.out" hand_url="" attempt hand_pid
  python3 "$script_dir/cli-mock-server.py" --port 0 >"$banner" 2>&1 &
  hand_pid=$!
  for attempt in $(seq 100); do
    hand_url="$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$banner" || true)"
    [[ -n "$hand_url" ]] && break
    sleep 0.05
  done
  expect_contains "banner" "mock Graph server on http://127.0.0.1:" "$(<"$banner")"

  if [[ -n "$hand_url" ]]; then
    invoke "exchange-token-with(\"1234\", \"$SECRET\", \"EAAhand\", {base-url: some(\"$hand_url\")})"
    expect_exit_success
    normalize_expires_at
    expect_equal "result" "$(token_wave LL-EAAhand facebook)" "$normalized"
  fi
  kill "$hand_pid" 2>/dev/null || true
  wait "$hand_pid" 2>/dev/null || true
}

# --- tests: scripts/exchange-cli.sh ----------------------------------------------------------

# Runs the wrapper with the given environment assignments and arguments. Sets `output` and
# `exit_status`, and keeps its stderr in $work_dir/stderr.
run_wrapper() {
  exit_status=0
  started_at="$(date +%s)"
  output="$(env -u META_APP_SECRET -u META_APP_SECRET_FILE \
    WASMTIME="$wasmtime_bin" COMPONENT="$component" "$@" 2>"$work_dir/stderr")" || exit_status=$?
  finished_at="$(date +%s)"
}

test_wrapper_secret_from_env() {
  # Quotes and backslashes must reach Graph unchanged, so the wrapper has to escape them in WAVE.
  local secret='se"cr\et'\''x'
  mark_requests
  run_wrapper META_APP_SECRET="$secret" "$script_dir/exchange-cli.sh" 1234 'EAAq"uo\te' "$base_url"
  expect_equal "exit status" 0 "$exit_status"
  normalize_expires_at
  expect_equal "result" "$(token_wave 'LL-EAAq\"uo\\te' facebook)" "$normalized"
  expect_equal "client_secret received" "$secret" "$(requests_since_mark query.client_secret)"
  expect_equal "token received" 'EAAq"uo\te' "$(requests_since_mark query.fb_exchange_token)"
}

test_wrapper_secret_from_file() {
  local secret_file="$work_dir/app-secret"
  printf '%s\n' "file-secret" >"$secret_file"
  mark_requests
  run_wrapper META_APP_SECRET_FILE="$secret_file" "$script_dir/exchange-cli.sh" 1234 THfile "$base_url"
  expect_equal "exit status" 0 "$exit_status"
  normalize_expires_at
  expect_equal "result" "$(token_wave LL-THfile threads)" "$normalized"
  expect_equal "client_secret received" "file-secret" "$(requests_since_mark query.client_secret)"
}

test_wrapper_err_exit_status() {
  run_wrapper META_APP_SECRET="$SECRET" "$script_dir/exchange-cli.sh" 1234 EAAexpired "$base_url"
  expect_equal "exit status" 1 "$exit_status"
  expect_contains "kind" "err({kind: token-expired, " "$output"
}

test_wrapper_missing_secret() {
  mark_requests
  run_wrapper "$script_dir/exchange-cli.sh" 1234 EAAshort "$base_url"
  expect_equal "exit status" 2 "$exit_status"
  expect_contains "message" "META_APP_SECRET" "$(<"$work_dir/stderr")"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

test_wrapper_both_secrets_rejected() {
  local secret_file="$work_dir/app-secret"
  printf '%s\n' "file-secret" >"$secret_file"
  mark_requests
  run_wrapper META_APP_SECRET="$SECRET" META_APP_SECRET_FILE="$secret_file" \
    "$script_dir/exchange-cli.sh" 1234 EAAshort "$base_url"
  expect_equal "exit status" 2 "$exit_status"
  expect_contains "message" "unset one of them" "$(<"$work_dir/stderr")"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

test_wrapper_missing_secret_file() {
  mark_requests
  run_wrapper META_APP_SECRET_FILE="$work_dir/no-such-file" \
    "$script_dir/exchange-cli.sh" 1234 EAAshort "$base_url"
  expect_equal "exit status" 2 "$exit_status"
  expect_contains "message" "is not a readable file" "$(<"$work_dir/stderr")"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

test_wrapper_usage_error() {
  run_wrapper META_APP_SECRET="$SECRET" "$script_dir/exchange-cli.sh" 1234
  expect_equal "exit status" 2 "$exit_status"
  expect_contains "message" "usage:" "$(<"$work_dir/stderr")"
}

# --- tests: the graph-token-cli command component -------------------------------------------

# Runs the command component with the given environment assignments, then `--`, then its
# arguments. Only variables named with --env reach the component; the values stay in the
# environment. Sets `output`, `exit_status`, `started_at` and `finished_at`, and keeps stderr in
# $work_dir/stderr.
run_command() {
  local assignments=() env_flags=() assignment
  while [[ "$1" != "--" ]]; do
    assignments+=("$1")
    env_flags+=(--env "${1%%=*}")
    shift
  done
  shift
  exit_status=0
  started_at="$(date +%s)"
  output="$(env -u META_APP_ID -u META_APP_SECRET -u META_SHORT_TOKEN -u META_LONG_TOKEN \
    "${assignments[@]}" "$wasmtime_bin" run -S http "${env_flags[@]}" "$cli_component" "$@" \
    2>"$work_dir/stderr")" || exit_status=$?
  finished_at="$(date +%s)"
}

# Checks that expires_at in the token JSON in `output` is the wall clock plus EXPIRES_IN, and
# sets `normalized` to that JSON with expires_at replaced by 0 and the keys sorted. It sets a
# variable instead of printing, as normalize_expires_at does.
normalize_token_json() {
  normalized="$(python3 -c '
import json, sys
value = json.loads(sys.argv[1])
started, finished, lifetime = (int(arg) for arg in sys.argv[2:5])
expires_at = value.get("expires_at")
if not isinstance(expires_at, int) or not started + lifetime <= expires_at <= finished + lifetime:
    print("expires_at out of range: %r" % (expires_at,))
else:
    value["expires_at"] = 0
    print(json.dumps(value, sort_keys=True))
' "$output" "$started_at" "$finished_at" "$EXPIRES_IN" 2>&1)"
}

# Prints the normalized JSON expected for a long-lived token from the mock.
token_json() {
  local access_token="$1" platform="$2"
  printf '{"access_token": "%s", "expires_at": 0, "expires_in": %s, "platform": "%s", "token_type": "bearer"}' \
    "$access_token" "$EXPIRES_IN" "$platform"
}

# Prints FIELD (a dotted path such as error.kind) of the JSON in `output`.
output_field() {
  python3 -c '
import json, sys
value = json.loads(sys.argv[1])
for key in sys.argv[2].split("."):
    value = value[key]
print(json.dumps(value))
' "$output" "$1" 2>&1
}

test_command_exchange() {
  mark_requests
  run_command META_APP_SECRET="$SECRET" META_SHORT_TOKEN=EAAcmd -- \
    exchange --app-id 1234 --base-url "$base_url"
  expect_equal "exit status" 0 "$exit_status"
  expect_equal "stderr" "" "$(<"$work_dir/stderr")"
  normalize_token_json
  expect_equal "result" "$(token_json LL-EAAcmd facebook)" "$normalized"
  expect_equal "request" \
    "/$api_version/oauth/access_token?grant_type=fb_exchange_token&client_id=1234&client_secret=$SECRET&fb_exchange_token=EAAcmd" \
    "$(requests_since_mark target)"
}

test_command_app_id_from_env() {
  mark_requests
  run_command META_APP_ID=5678 META_APP_SECRET="$SECRET" META_SHORT_TOKEN=IGcmd -- \
    exchange --api-version v21.0 --base-url "$base_url" --max-attempts 1 --timeout-ms 5000
  expect_equal "exit status" 0 "$exit_status"
  normalize_token_json
  expect_equal "result" "$(token_json LL-IGcmd instagram)" "$normalized"
  expect_equal "request" \
    "/v21.0/access_token?grant_type=ig_exchange_token&client_secret=$SECRET&access_token=IGcmd" \
    "$(requests_since_mark target)"
}

test_command_refresh() {
  mark_requests
  run_command META_LONG_TOKEN=long -- refresh --platform threads --base-url "$base_url"
  expect_equal "exit status" 0 "$exit_status"
  normalize_token_json
  expect_equal "result" "$(token_json LL-long threads)" "$normalized"
  expect_equal "request" \
    "/refresh_access_token?grant_type=th_refresh_token&access_token=long" \
    "$(requests_since_mark target)"
}

test_command_graph_error() {
  run_command META_APP_SECRET="$SECRET" META_SHORT_TOKEN=EAAexpired -- \
    exchange --app-id 1234 --base-url "$base_url"
  expect_equal "exit status" 1 "$exit_status"
  expect_equal "kind" '"token-expired"' "$(output_field error.kind)"
  expect_equal "http_status" 400 "$(output_field error.http_status)"
  expect_equal "graph code" 190 "$(output_field error.graph_error.code)"
  expect_equal "graph subcode" 463 "$(output_field error.graph_error.error_subcode)"
  expect_equal "attempts" 1 "$(output_field error.attempts)"
  expect_equal "stderr" \
    "graph-token-cli: token-expired: the token has expired (HTTP 400, code 190, subcode 463); the user must log in again to get a new short-lived token" \
    "$(<"$work_dir/stderr")"
}

test_command_redacts_secret() {
  local secret="command-secret-to-redact"
  run_command META_APP_SECRET="$secret" META_SHORT_TOKEN=EAAecho-secret -- \
    exchange --app-id 1234 --base-url "$base_url"
  expect_equal "exit status" 1 "$exit_status"
  expect_equal "kind" '"api-error"' "$(output_field error.kind)"
  expect_contains "graph message" "client_secret=[redacted]" "$output"
  expect_absent "secret on stdout" "$secret" "$output"
  expect_absent "secret on stderr" "$secret" "$(<"$work_dir/stderr")"
}

test_command_invalid_option() {
  mark_requests
  run_command META_APP_SECRET="$SECRET" META_SHORT_TOKEN=EAAcmd -- \
    exchange --app-id 1234 --base-url "ftp://${base_url#http://}"
  expect_equal "exit status" 1 "$exit_status"
  expect_equal "kind" '"invalid-input"' "$(output_field error.kind)"
  expect_equal "attempts" 0 "$(output_field error.attempts)"
  expect_contains "stderr" "graph-token-cli: invalid-input: --base-url is invalid" "$(<"$work_dir/stderr")"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

test_command_empty_secret() {
  mark_requests
  run_command META_APP_SECRET= META_SHORT_TOKEN=EAAcmd -- exchange --app-id 1234 --base-url "$base_url"
  expect_equal "exit status" 1 "$exit_status"
  expect_equal "kind" '"invalid-input"' "$(output_field error.kind)"
  expect_equal "message" \
    '"META_APP_SECRET is empty; pass the App Secret from the app dashboard (App settings > Basic)"' \
    "$(output_field error.message)"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

test_command_refresh_facebook_rejected() {
  mark_requests
  run_command META_LONG_TOKEN=EAAlong -- refresh --base-url "$base_url"
  expect_equal "exit status" 1 "$exit_status"
  expect_equal "stderr" \
    "graph-token-cli: invalid-input: META_LONG_TOKEN does not start with TH (Threads) or IG (Instagram), so it is taken as a Facebook token, and Facebook long-lived user tokens cannot be refreshed; exchange a new short-lived token with the exchange command instead, or set --platform if this is a Threads or Instagram token" \
    "$(<"$work_dir/stderr")"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

# A closed or full stdout is a failure with a message, not a panic.
test_command_stdout_write_failure() {
  exit_status=0
  env META_LONG_TOKEN=THlong "$wasmtime_bin" run -S http --env META_LONG_TOKEN "$cli_component" \
    refresh --base-url "$base_url" >/dev/full 2>"$work_dir/stderr" || exit_status=$?
  expect_equal "exit status" 1 "$exit_status"
  expect_contains "stderr" "graph-token-cli: failed to write to stdout: " "$(<"$work_dir/stderr")"
  expect_absent "panic" "panicked" "$(<"$work_dir/stderr")"
}

test_command_missing_secret() {
  mark_requests
  run_command META_SHORT_TOKEN=EAAcmd -- exchange --app-id 1234 --base-url "$base_url"
  expect_equal "exit status" 1 "$exit_status"
  expect_equal "stdout" "" "$output"
  expect_equal "stderr" \
    "graph-token-cli: META_APP_SECRET is not set in the component's environment; set it and run wasmtime with --env META_APP_SECRET" \
    "$(<"$work_dir/stderr")"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

test_command_secret_argument_rejected() {
  mark_requests
  run_command META_SHORT_TOKEN=EAAcmd -- \
    exchange --app-id 1234 --app-secret "$SECRET" --base-url "$base_url"
  expect_equal "exit status" 1 "$exit_status"
  expect_equal "stdout" "" "$output"
  expect_contains "stderr" "--app-secret is not accepted" "$(<"$work_dir/stderr")"
  expect_absent "secret on stderr" "$SECRET" "$(<"$work_dir/stderr")"
  expect_equal "request count" 0 "$(requests_since_mark target | wc -l)"
}

# While the call waits on a server that never sends a response, the secret and the token are in
# wasmtime's environment but in no process's command line.
test_command_credentials_off_command_line() {
  local secret="argv-check-secret" token="EAAargv-check-token" port_file="$work_dir/hang-port"
  python3 -c '
import socket, sys, time
listener = socket.socket()
listener.bind(("127.0.0.1", 0))
listener.listen(8)
with open(sys.argv[1], "w") as port_file:
    port_file.write(str(listener.getsockname()[1]))
connections = []
while True:
    connections.append(listener.accept()[0])
' "$port_file" &
  local hang_pid=$! attempt
  for attempt in $(seq 100); do
    [[ -s "$port_file" ]] && break
    sleep 0.05
  done

  env META_APP_SECRET="$secret" META_SHORT_TOKEN="$token" "$wasmtime_bin" run -S http \
    --env META_APP_SECRET --env META_SHORT_TOKEN "$cli_component" exchange --app-id 1234 \
    --base-url "http://127.0.0.1:$(<"$port_file")" --timeout-ms 3000 --max-attempts 1 \
    >"$work_dir/hang.out" 2>"$work_dir/hang.err" &
  local call_pid=$!
  sleep 1

  local command_lines="" process
  for process in /proc/[0-9]*; do
    # A process may exit between the glob and the read.
    command_lines+="$({ tr '\0' ' ' <"$process/cmdline"; } 2>/dev/null || true)"$'\n'
  done
  expect_contains "wasmtime is running" "$cli_component" "$command_lines"
  expect_absent "secret in a command line" "$secret" "$command_lines"
  expect_absent "token in a command line" "$token" "$command_lines"

  exit_status=0
  wait "$call_pid" || exit_status=$?
  output="$(<"$work_dir/hang.out")"
  expect_equal "exit status" 1 "$exit_status"
  expect_equal "kind" '"timeout"' "$(output_field error.kind)"
  kill "$hang_pid" 2>/dev/null || true
  wait "$hang_pid" 2>/dev/null || true
}

# --- main ----------------------------------------------------------------------------------

start_mock
echo "test-cli: $("$wasmtime_bin" --version), mock Graph server at $base_url"

api_version="unknown"
run_test test_default_api_version
run_test test_exchange_facebook
run_test test_exchange_threads_by_prefix
run_test test_exchange_instagram_options
run_test test_error_token_expired
run_test test_error_rate_limited
run_test test_error_upstream_retried
run_test test_error_redacts_secret
run_test test_invalid_input_empty_secret
run_test test_invalid_input_base_url_scheme
run_test test_refresh_threads
run_test test_refresh_facebook_rejected
run_test test_batch_exchange
run_test test_batch_refresh
run_test test_run_without_http_fails
run_test test_mock_server_by_hand
run_test test_wrapper_secret_from_env
run_test test_wrapper_secret_from_file
run_test test_wrapper_err_exit_status
run_test test_wrapper_missing_secret
run_test test_wrapper_both_secrets_rejected
run_test test_wrapper_missing_secret_file
run_test test_wrapper_usage_error
run_test test_command_exchange
run_test test_command_app_id_from_env
run_test test_command_refresh
run_test test_command_graph_error
run_test test_command_redacts_secret
run_test test_command_invalid_option
run_test test_command_empty_secret
run_test test_command_refresh_facebook_rejected
run_test test_command_stdout_write_failure
run_test test_command_missing_secret
run_test test_command_secret_argument_rejected
run_test test_command_credentials_off_command_line

echo "cli: $tests_passed passed, $tests_failed failed"
if ((tests_failed > 0)); then
  exit 1
fi
