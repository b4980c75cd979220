#!/usr/bin/env bash
# Prints tincan's benchmark table (see cmd/tincan-bench): once with the
# databases on disk, once on tmpfs to separate protocol cost from fsync cost.
# Each run also measures TLS echoes whose receiver appends and fsyncs every
# message (one at a time, and in groups) in the same directory: the floor
# that durability sets on that disk.
# Usage: scripts/bench.sh BIN [tincan-bench flags...]
set -euo pipefail
cd "$(dirname "$0")/.."
go build -o build/tincan-bench ./cmd/tincan-bench
go build -tags nogui -o build/tincan-server ./cmd/tincan
echo "== databases on disk (build/)"
bin=$1
shift
build/tincan-bench -bin "$bin" -server-bin build/tincan-server "$@"
if [ -d /dev/shm ] && [ -w /dev/shm ]; then
  d=$(mktemp -d /dev/shm/tincan-bench.XXXXXX)
  trap 'rm -rf "$d"' EXIT
  echo
  echo "== databases on tmpfs (no fsync cost)"
  build/tincan-bench -bin "$bin" -server-bin build/tincan-server -dir "$d" "$@"
fi
