#!/usr/bin/env bash
# Whole-process timing of a scan of the generated monorepo (issue #9):
#   crates/perimeter/benches/scale.sh [APPS] [BINARY]      (TREE=DIR: scan DIR instead)
# Medians with hyperfine of: a scan without the cache, a cold cache (emptied before each
# run), a warm cache; peak memory and CPU use (both cores?) with /usr/bin/time -v.
set -euo pipefail
apps=${1:-500}
bin=${2:-target/release/perimeter}
cd "$(dirname "$0")/../../.."
[ -x "$bin" ] || cargo build --release --locked -p perimeter
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if [ -n "${TREE:-}" ]; then
  # Another tree instead of the generated monorepo (for instance one whose handlers import
  # large local modules, where the code analysis dominates).
  root=$(realpath "$TREE")
  apps="$(basename "$TREE")"
else
  root="$work/mono"
  python3 /work/shared/bench/gen_monorepo.py "$root" --apps "$apps" --seed 1 >/dev/null
fi
printf '%s: %s files, %s\n' "$apps" "$(find "$root" -type f | wc -l)" "$(du -sh "$root" | cut -f1)"
mkdir -p "$work/db"
scan=("$bin" scan "$root" --format json --output "$work/report.json" --db "$work/db")
cache="$work/cache"
# One --prepare per command (a single one would apply to all three).
hyperfine --warmup 1 --runs "${RUNS:-5}" -i --export-json "$work/h.json" \
  --prepare true --prepare "rm -rf $cache" --prepare true \
  -n "no cache" "${scan[*]} --no-cache" \
  -n "cold cache" "${scan[*]} --cache-dir $cache" \
  -n "warm cache" "${scan[*]} --cache-dir $cache" >/dev/null 2>&1
python3 - "$work/h.json" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
base = r[0]["median"]
for x in r:
    print(f'{x["command"]:<12} median {x["median"]:.3f} s  (min {x["min"]:.3f}, max {x["max"]:.3f})  {x["median"] / base:.2f}x of no cache')
PY
for mode in "--no-cache" "--cache-dir $cache"; do
  /usr/bin/time -v "${scan[@]}" $mode 2>"$work/time.txt" || true
  awk -F': ' -v m="$mode" '
    /Maximum resident set size/ { rss = $2 }
    /Percent of CPU this job got/ { cpu = $2 }
    /Elapsed \(wall clock\)/ { wall = $2 }
    END { printf "%-22s peak RSS %.0f MB, CPU %s (200%% = both cores), wall %s\n", m, rss / 1024, cpu, wall }
  ' "$work/time.txt"
done
python3 -c "import json,sys; r=json.load(open('$work/report.json')); print('report:', r['summary'])"
