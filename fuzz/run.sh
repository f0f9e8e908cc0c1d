#!/usr/bin/env bash
# Short fuzz run of every target (or of the targets named after the duration):
#   [FUZZ_BUILD=dev] [FUZZ_JOBS=N] fuzz/run.sh SECONDS [TARGET...]
# Seeds the corpora from the fixtures, builds with cargo-fuzz on the stable toolchain (no
# sanitizer: the crates forbid unsafe code, and `-s address` would need nightly flags, see
# README.md), runs each target SECONDS seconds, prints its executions, and fails when a
# target crashes, times out or runs out of memory (the input is left in fuzz/artifacts/).
set -euo pipefail
cd "$(dirname "$0")"
secs=${1:-60}
shift || true
targets=("$@")
# Installed first: listing the targets needs it (on a fresh machine the list was empty, and
# no target ran).
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --version 0.13.2 --locked
if [ "${#targets[@]}" -eq 0 ]; then
  mapfile -t targets < <(cargo fuzz list)
fi
if [ "${#targets[@]}" -eq 0 ]; then
  echo "no fuzz target found" >&2
  exit 1
fi
./seed-corpora.sh >/dev/null
# A target folder of its own: builds with other flags (a sanitizer) elsewhere do not
# invalidate these.
flags=(-O -s none --target-dir target/stable)
# FUZZ_BUILD=dev builds without optimisation, with debug assertions and overflow checks: half
# the build's CPU time of an optimised one (CI's choice), and about a tenth of its executions
# per second.
# Seconds one input may take before libFuzzer calls it a hang.
timeout=10
if [ "${FUZZ_BUILD:-release}" = dev ]; then
  flags=(--dev -s none --target-dir target/stable-dev)
  timeout=60
fi
cargo fuzz build "${flags[@]}" >/dev/null
# One target: run, then print one line (and the crash, if any); the exit status says.
run_one() {
  local t=$1 log status execs cov
  log=$(mktemp)
  if cargo fuzz run "${flags[@]}" "$t" -- -max_total_time="$secs" -timeout="$timeout" \
      -rss_limit_mb=2048 -print_final_stats=1 >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  {
    printf '%-16s %-6s %10s execs in %ss  %s  corpus %s\n' "$t" "$status" "$execs" "$secs" \
      "$cov" "$(find "corpus/$t" -type f | wc -l)"
    if [ "$status" = FAILED ]; then
      grep -E 'panicked|ERROR|SUMMARY|Test unit written|deadly signal|^error' "$log" | head -20 \
        || tail -20 "$log"
    fi
  } >"$log.out"
  cat "$log.out"
  rm -f "$log" "$log.out"
  [ "$status" = ok ]
}
# FUZZ_JOBS targets at a time (default: one per core); each target is one process.
jobs=${FUZZ_JOBS:-$(nproc)}
failed=()
running=()
for t in "${targets[@]}"; do
  run_one "$t" &
  running+=("$!:$t")
  if [ "${#running[@]}" -ge "$jobs" ]; then
    entry=${running[0]}
    running=("${running[@]:1}")
    wait "${entry%%:*}" || failed+=("${entry#*:}")
  fi
done
for entry in "${running[@]}"; do
  wait "${entry%%:*}" || failed+=("${entry#*:}")
done
if [ "${#failed[@]}" -gt 0 ]; then
  echo "fuzz targets that failed: ${failed[*]}" >&2
  exit 1
fi
