#!/usr/bin/env bash
# Fills fuzz/corpus/<target>/ with seeds made from the repository's own fixtures (tracked
# files only; the corpora are not committed). Idempotent: a seed is named by its content.
set -euo pipefail
cd "$(dirname "$0")/.."
sep=$'\n#--file--\n'

seed() { # target, content on stdin
  local dir="fuzz/corpus/$1" tmp
  mkdir -p "$dir"
  tmp=$(mktemp)
  cat >"$tmp"
  mv "$tmp" "$dir/$(sha1sum "$tmp" | cut -c1-40)"
}
files() { git ls-files -- "$@" | grep -v '^fuzz/' || true; }

for f in $(files '*.yml' '*.yaml' '*.json'); do
  [ "$(stat -c %s "$f")" -lt 200000 ] && seed yaml <"$f"
done
for f in $(files '*serverless.yml' '*serverless.yaml' '*serverless.json'); do
  seed serverless <"$f"
  seed sls_variables < <(grep -o '\${[^}]*}[^"'"'"']*' "$f" || true)
done
for f in $(files '*template.yaml' '*template.yml' '*template.json' '*.template.json' '*/cfn/*'); do
  seed cloudformation <"$f"
done
for f in $(files '*.tf'); do
  seed terraform <"$f"
done
for f in $(files '*.chalice/config.json'); do
  app="$(dirname "$(dirname "$f")")/app.py"
  { cat "$f"; [ -f "$app" ] && { printf '%s' "$sep"; cat "$app"; }; } | seed chalice
done
for f in $(files '*zappa_settings.json'); do
  seed zappa <"$f"
done
for f in $(files '*host.json'); do
  d=$(dirname "$f")
  fj=$(find "$d" -name function.json | sort | head -1)
  {
    cat "$f"
    for extra in "$fj" "$d/local.settings.json" "$d/function_app.py"; do
      printf '%s' "$sep"
      [ -n "$extra" ] && [ -f "$extra" ] && cat "$extra"
    done
  } | seed azure
done
for f in $(files '*.js' '*.mjs' '*.cjs' '*.ts'); do
  case "$f" in *.ts) pick='\x02' ;; *.mjs) pick='\x01' ;; *) pick='\x00' ;; esac
  { printf "$pick"; cat "$f"; } | seed javascript
done
for f in $(files '*.py'); do
  seed python <"$f"
done
i=0
# The order of NAMES in fuzz_targets/lockfile.rs: the first byte picks the parser.
for name in package-lock.json npm-shrinkwrap.json yarn.lock pnpm-lock.yaml 'requirements*.txt' Pipfile.lock poetry.lock uv.lock package.json; do
  for f in $(files "*$name"); do
    { printf "\\x$(printf %02x "$i")"; cat "$f"; } | seed lockfile
  done
  i=$((i + 1))
done
for d in fuzz/corpus/*; do
  printf '%-16s %5d seeds\n' "$(basename "$d")" "$(find "$d" -type f | wc -l)"
done
