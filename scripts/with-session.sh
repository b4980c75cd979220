#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked
# gnome-keyring (a real Secret Service) and, when there is no display, a
# private Xvfb display. The keyring's files live under build/, not in $HOME.
# Usage: scripts/with-session.sh CMD ARGS...
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
if [ -z "${TINCAN_IN_SESSION:-}" ]; then
  export TINCAN_IN_SESSION=1
  # keep Go's caches where they are before XDG_CACHE_HOME moves
  GOCACHE="$(go env GOCACHE)" GOMODCACHE="$(go env GOMODCACHE)"
  export GOCACHE GOMODCACHE
  export XDG_DATA_HOME="$root/build/session/data" XDG_CONFIG_HOME="$root/build/session/config"
  export XDG_RUNTIME_DIR="$root/build/session/run" XDG_CACHE_HOME="$root/build/session/cache"
  rm -rf "$root/build/session"
  mkdir -p "$XDG_DATA_HOME" "$XDG_CONFIG_HOME" "$XDG_RUNTIME_DIR" "$XDG_CACHE_HOME"
  chmod 700 "$XDG_RUNTIME_DIR"
  export LANG=en_US.UTF-8
  exec dbus-run-session -- "$0" "$@"
fi
echo -n tincan-test | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1
xvfb_pid=""
if [ -z "${DISPLAY:-}" ]; then
  for n in $(seq 90 120); do
    [ -e "/tmp/.X11-unix/X$n" ] || [ -e "/tmp/.X$n-lock" ] && continue
    Xvfb ":$n" -screen 0 1024x768x24 -nolisten tcp >/dev/null 2>&1 &
    xvfb_pid=$!
    export DISPLAY=":$n"
    for _ in $(seq 50); do [ -e "/tmp/.X11-unix/X$n" ] && break; sleep 0.1; done
    break
  done
fi
status=0
"$@" || status=$?
[ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null || true
exit $status
