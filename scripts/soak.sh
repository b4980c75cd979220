#!/usr/bin/env bash
# The soak with faults: installs what it needs (Debian/Ubuntu, apt) when
# missing, builds cmd/tincan-soak and runs it as root against a tincan binary.
# Usage: scripts/soak.sh [BIN [tincan-soak flags...]]   (BIN: build/tincan-nogui)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/tincan-nogui}
[ $# -gt 0 ] && shift
go=${GO:-go}

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

pkgs=(iproute2 nftables)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "soak: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p build
"$go" build -o build/tincan-soak ./cmd/tincan-soak
exec $sudo build/tincan-soak -bin "$bin" "$@"
