#!/usr/bin/env bash
# Installs what building and testing tincan needs on Debian/Ubuntu, only what
# is missing. Usage: scripts/deps.sh [run|test]
set -euo pipefail
mode=${1:-run}

pkgs=(gcc libc6-dev pkg-config make
  libgl1-mesa-dev libx11-dev libxrandr-dev libxcursor-dev libxinerama-dev libxi-dev libxxf86vm-dev
  libopus-dev libopusfile-dev libspeexdsp-dev
  gnome-keyring dbus-daemon dbus-bin dbus-x11)
if [ "$mode" = test ]; then
  # miniupnpd-nftables: the bare daemon (no init script), for natlab's UPnP router
  pkgs+=(xvfb xauth imagemagick iproute2 nftables iptables procps miniupnpd-nftables xdotool espeak-ng sox)
  # coturn: turnserver and turnutils_natdiscovery, the independent RFC 5780
  # classifier core/stun's test agrees with (never started as a service)
  pkgs+=(coturn)
fi

if [ "$mode" = package ] || [ "$mode" = test ]; then
  pkgs+=(dpkg-dev imagemagick xz-utils lintian)
fi
[ "$mode" = test ] && pkgs+=(debootstrap)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "deps: installing ${missing[*]}"
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq
  if [[ " ${missing[*]} " == *" coturn "* ]] && [ -d /run/systemd/system ]; then
    $sudo systemctl mask coturn >/dev/null 2>&1 || true
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not installed; install Go 1.26 or newer from https://go.dev/dl/ and put it on PATH" >&2
  exit 1
fi
