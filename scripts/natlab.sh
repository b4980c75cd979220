#!/usr/bin/env bash
# The NAT lab: installs what it needs (Debian/Ubuntu, apt) when missing,
# builds cmd/tincan-natlab and runs it as root against a tincan binary.
# Usage: scripts/natlab.sh [BIN [tincan-natlab flags...]]   (BIN: build/tincan)
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-build/tincan}
[ $# -gt 0 ] && shift
go=${GO:-go}

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"

# miniupnpd-nftables is the daemon alone: the `miniupnpd` package would add an
# init script and debconf questions, and could start it on the host.
pkgs=(iproute2 nftables iptables miniupnpd-nftables)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "natlab: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

mkdir -p build
"$go" build -o build/tincan-natlab ./cmd/tincan-natlab
exec $sudo build/tincan-natlab -bin "$bin" "$@"
