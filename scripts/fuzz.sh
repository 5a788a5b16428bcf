#!/usr/bin/env bash
# Runs each fuzz target in fuzz/ for SECONDS seconds (default 60) with cargo-fuzz and libFuzzer,
# and fails when any target finds a crash, a failed check, a timeout or an out-of-memory input.
#
# Usage: scripts/fuzz.sh [SECONDS]   (from any directory)
#
# cargo-fuzz needs a nightly toolchain. When none is installed, the script tries
# `rustup toolchain install nightly --profile minimal`. If that fails too, it runs only the
# property tests (tests/properties.rs) and prints a warning, so it never passes without testing.
# cargo-fuzz $CARGO_FUZZ_VERSION (default 0.13.1) is installed into $TOOLS_DIR/bin when missing.
set -euo pipefail

seconds="${1:-60}"
if [[ ! "$seconds" =~ ^[1-9][0-9]*$ ]]; then
  echo "fuzz: SECONDS must be a positive whole number of seconds, got '$seconds'" >&2
  exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fuzz_dir="$repo/fuzz"
tools_dir="${TOOLS_DIR:-$repo/.tools}"
cargo_fuzz_version="${CARGO_FUZZ_VERSION:-0.13.1}"
targets=(response_parsing request_building)

# Largest input per target, in bytes. A response body is capped at 64 KiB
# (response::MAX_BODY_BYTES), and the other 8 KiB leave room for the first line, two
# credentials of up to 2048 bytes and the headers.
declare -A max_len=([response_parsing]=73728 [request_building]=8192)

run_property_tests_only() {
  echo "WARNING: fuzz: $1; the fuzz targets did NOT run. Running the property tests instead." >&2
  cargo test --locked --manifest-path "$repo/Cargo.toml" -p graph-token-exchange --test properties
  echo "WARNING: fuzz: only the property tests ran; install a nightly toolchain to run the fuzz targets." >&2
}

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz: no nightly toolchain found; running rustup toolchain install nightly --profile minimal"
  if ! rustup toolchain install nightly --profile minimal; then
    run_property_tests_only "no nightly toolchain could be installed"
    exit 0
  fi
fi

installed="$("$tools_dir/bin/cargo-fuzz" --version 2>/dev/null || true)"
if [[ "$installed" != "cargo-fuzz $cargo_fuzz_version" ]]; then
  echo "fuzz: installing cargo-fuzz $cargo_fuzz_version into $tools_dir (about 2 minutes on two cores, once)"
  cargo install --locked --version "$cargo_fuzz_version" cargo-fuzz --root "$tools_dir"
fi
export PATH="$tools_dir/bin:$PATH"

# No AddressSanitizer: the guest code built natively has no unsafe blocks, and without it
# response_parsing ran about 4,400 instead of 1,200 inputs per second (two busy cores).
# Debug assertions also turn on integer overflow checks.
build_options=(--sanitizer none --debug-assertions)

cd "$fuzz_dir"
echo "fuzz: building ${targets[*]}"
cargo +nightly fuzz build "${build_options[@]}"

# libFuzzer's per-input progress, new functions and recommended dictionary entries: hidden to
# keep CI logs short. Crash reports and final statistics stay.
progress_lines='^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|^[[:space:]]+NEW_FUNC|# Uses: [0-9]+$'

failed=()
for target in "${targets[@]}"; do
  # corpus/ keeps what earlier runs found (git-ignored), and seeds/ contains the checked-in
  # examples.
  corpora=("corpus/$target")
  mkdir -p "corpus/$target"
  if [[ -d "seeds/$target" ]]; then
    corpora+=("seeds/$target")
  fi
  options=(
    "-max_total_time=$seconds"
    "-max_len=${max_len[$target]}"
    "-rss_limit_mb=2048"
    "-timeout=10"
    "-print_final_stats=1"
  )
  if [[ -f "$target.dict" ]]; then
    options+=("-dict=$target.dict")
  fi

  echo "fuzz: running $target for $seconds s"
  log="$(mktemp)"
  if cargo +nightly fuzz run "${build_options[@]}" "$target" "${corpora[@]}" -- "${options[@]}" 2>&1 |
    { grep -v -E "$progress_lines" || [[ $? -eq 1 ]]; } | tee "$log"; then
    runs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")"
    echo "fuzz: $target passed: ${runs:-unknown number of} inputs in $seconds s"
  else
    failed+=("$target")
    echo "fuzz: $target FAILED; the input is in fuzz/artifacts/$target/." >&2
    echo "fuzz: reproduce with: cd fuzz && cargo +nightly fuzz run ${build_options[*]} $target artifacts/$target/<file>" >&2
  fi
  rm -f "$log"
done

if ((${#failed[@]} > 0)); then
  echo "fuzz: failed targets: ${failed[*]}" >&2
  exit 1
fi
echo "fuzz: every target ran $seconds s without a failure"
