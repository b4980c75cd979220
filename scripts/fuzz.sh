#!/usr/bin/env bash
# Runs every fuzz target in the module for a short time each.
# Usage: scripts/fuzz.sh BUDGET   (e.g. 20000x, or 30s for a longer local run)
set -euo pipefail
t=${1:-5s}
cd "$(dirname "$0")/.."
fail=0
for pkg in $(go list ./...); do
  dir=$(go list -f '{{.Dir}}' "$pkg")
  for f in $(grep -ho '^func Fuzz[A-Za-z0-9_]*' "$dir"/*_test.go 2>/dev/null | sed 's/^func //'); do
    echo "fuzz $pkg $f ($t)"
    if ! go test -run='^$' -fuzz="^$f\$" -fuzztime="$t" -fuzzminimizetime=3s "$pkg" >"build/fuzz-$f.log" 2>&1; then
      echo "FAIL: fuzz $pkg $f"; tail -30 "build/fuzz-$f.log"; fail=1
    fi
  done
done
exit $fail
