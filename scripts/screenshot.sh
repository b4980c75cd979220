#!/usr/bin/env bash
# Opens the real tincan window on the current X display (Xvfb in `make test`)
# and saves screenshots under build/: the first-run window, and the main
# window of a user who has chatted with a contact over two real nodes.
# Fails if a window does not appear or a screenshot is blank.
# Usage (inside scripts/with-session.sh): scripts/screenshot.sh BIN
set -euo pipefail
bin=$(realpath "$1")
out=$(pwd)/build
work=$(mktemp -d /tmp/tincan-shot.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  # give each 15 s to exit (the app closes its node first), then force it
  for p in "${pids[@]}"; do
    for _ in $(seq 150); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$p" 2>/dev/null && { echo "screenshot: pid $p did not exit on SIGTERM; killing it" >&2; kill -9 "$p" 2>/dev/null || true; }
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# wait_for CMD...: retry a command for up to 30 s
wait_for() {
  for _ in $(seq 150); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "screenshot: timed out waiting for: $*" >&2
  return 1
}

# shot NAME: capture the screen and check it is not blank
shot() {
  import -window root "$out/$1.png"
  sd=$(convert "$out/$1.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
  echo "screenshot: $out/$1.png (grey standard deviation $sd)"
  awk -v s="$sd" 'BEGIN { exit !(s > 0.02) }' || { echo "screenshot: $1 looks blank" >&2; return 1; }
}

# expect_window REGEX: the window on screen is the one the next shot is of
# (its title), not a leftover or an error window; waits up to 30 s.
command -v xdotool >/dev/null || { echo "screenshot: xdotool is missing (run scripts/deps.sh test)" >&2; exit 1; }
expect_window() {
  wait_for sh -c "xdotool search --onlyvisible --name '$1' | grep -q ." ||
    { echo "screenshot: no visible window titled /$1/; windows: $(xdotool search --name . getwindowname %@ 2>/dev/null | tr '\n' ',')" >&2; return 1; }
}

# 1. First run: a new home shows the "what is your name" window.
"$bin" --home "$work/new" --listen 127.0.0.1:0 >"$work/new.log" 2>&1 &
pids+=($!)
expect_window '^Welcome to tincan$'
sleep 2
kill -0 "${pids[-1]}" || { cat "$work/new.log"; echo "screenshot: first-run window exited" >&2; exit 1; }
shot screenshot-firstrun
kill "${pids[-1]}"

# 2. Two real nodes chat; then Ana opens the desktop app.
A="$work/ana" B="$work/ben"
"$bin" daemon --home "$A" --name Ana --listen 127.0.0.1:47481 2>"$work/a.log" &
pids+=($!); pa=$!
"$bin" daemon --home "$B" --name Ben --listen 127.0.0.1:47482 2>"$work/b.log" &
pids+=($!)
wait_for "$bin" --home "$A" id
wait_for "$bin" --home "$B" id
"$bin" --home "$A" contacts add Ben "$("$bin" --home "$B" id)" --addr 127.0.0.1:47482
"$bin" --home "$B" contacts add Ana "$("$bin" --home "$A" id)" --addr 127.0.0.1:47481
"$bin" --home "$A" send Ben "Hi Ben! Did the tin can telephone work?"
"$bin" --home "$B" send Ana "Loud and clear. No server in the middle."
"$bin" --home "$A" send Ben "Perfect. Talk later!"
wait_for sh -c "'$bin' --home '$A' history Ben --json | grep -o '\"state\":\"delivered\"' | wc -l | grep -qx 2"
kill "$pa"; wait "$pa" || true

"$bin" --home "$A" --listen 127.0.0.1:47481 --open Ben >"$work/gui.log" 2>&1 &
pids+=($!)
wait_for "$bin" --home "$A" status
# the CLI drives the GUI node too: a message from Ben arrives while it is open
"$bin" --home "$B" send Ana "One more thing: this one arrives while the window is open."
wait_for sh -c "'$bin' --home '$A' history Ben --json | grep -q 'while the window is open'"
expect_window '^tincan'
sleep 2
shot screenshot-main
echo "screenshot: ok"

# 3. The network settings, opened by clicking the main window's Network
# button (the toolbar's rightmost, about 60 px from the window's right edge).
# Clicking needs xdotool (scripts/deps.sh installs it for make test); the ui
# tests capture this dialog too (build/network.png), and the relay question
# (build/relayask.png).
wid=$(xdotool search --name '^tincan( \(.*\))?$' | head -1)
eval "$(xdotool getwindowgeometry --shell "$wid")"
xdotool mousemove --window "$wid" $((WIDTH - 60)) 26 click 1
sleep 2
shot screenshot-network
changed=$(compare -metric AE "$out/screenshot-main.png" "$out/screenshot-network.png" null: 2>&1 || true)
awk -v n="${changed%% *}" 'BEGIN { exit !(n > 50000) }' ||
  { echo "screenshot: the network dialog did not open ($changed pixels changed)" >&2; exit 1; }
echo "screenshot: network ok"

# 4. A call in the real window. Ana's app (its microphone a speech WAV) and
# Ben's daemon restart with WAV audio; Ben calls through the CLI and Ana's
# node is driven through the CLI too (it answers as the Accept button
# would). Saves the window as screenshot-call-ringing.png (the prompt),
# screenshot-call-active.png (in the call) and screenshot-call-ended.png
# (Ben hung up), then the same at 480x360 with -small; each must show the
# call panel, which changes the top of the window against a picture taken
# before the call. The ui tests draw the same views (build/call-*.png).
speech=$(cd "$(dirname "$0")/../assets/speech" && pwd)
kill "${pids[-1]}" "${pids[-2]}"; wait "${pids[-1]}" "${pids[-2]}" 2>/dev/null || true
"$bin" daemon --home "$B" --listen 127.0.0.1:47482 \
  --audio "wav:$speech/speech-b.wav,$work/ben-heard.wav" 2>"$work/b-call.log" &
pids+=($!)
wait_for "$bin" --home "$B" status # listening before Ana's app dials it
"$bin" --home "$A" --listen 127.0.0.1:47481 --open Ben \
  --audio "wav:$speech/speech-a.wav,$work/ana-heard.wav" >"$work/gui-call.log" 2>&1 &
pids+=($!)
wait_for "$bin" --home "$A" status
for _ in $(seq 50); do wid=$(xdotool search --name '^tincan( \(.*\))?$' | head -1) && [ -n "$wid" ] && break; sleep 0.2; done
[ -n "$wid" ] || { cat "$work/gui-call.log"; echo "screenshot: the app's window did not come back" >&2; exit 1; }

# call_state HOME: the node's call state (idle, ringing, active, ended...)
call_state() { "$bin" --home "$1" status --json | jq -r '.call.state'; }

# winshot NAME: capture the window alone and check it is not blank
winshot() {
  import -window "$wid" "$out/$1.png"
  sd=$(convert "$out/$1.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)
  echo "screenshot: $out/$1.png ($(identify -format '%wx%h' "$out/$1.png"), grey standard deviation $sd)"
  awk -v s="$sd" 'BEGIN { exit !(s > 0.02) }' || { echo "screenshot: $1 looks blank" >&2; return 1; }
}

# panel_shown NAME: the top of the window (under the toolbar) changed
# against the picture taken before the call
panel_shown() {
  n=$(compare -metric AE -crop "$(identify -format '%w' "$out/$1.png")x100+0+50" \
    "$work/before$sfx.png" "$out/$1.png" null: 2>&1 || true)
  awk -v n="${n%% *}" 'BEGIN { exit !(n > 3000) }' ||
    { echo "screenshot: $1 shows no call panel ($n pixels changed under the toolbar)" >&2; return 1; }
}

# call_views SUFFIX: ring, answer and hang up one call, capturing each view
call_views() {
  sfx=$1
  sleep 1
  import -window "$wid" "$work/before$sfx.png"
  "$bin" --home "$B" call Ana
  wait_for sh -c "[ \"\$('$bin' --home '$A' status --json | jq -r .call.state)\" = ringing ]"
  sleep 1
  winshot "screenshot-call-ringing$sfx"; panel_shown "screenshot-call-ringing$sfx"
  "$bin" --home "$A" answer Ben
  wait_for sh -c "[ \"\$('$bin' --home '$A' status --json | jq -r .call.state)\" = active ]"
  sleep 2.5 # the timer moves on, the level meter follows the speech
  winshot "screenshot-call-active$sfx"; panel_shown "screenshot-call-active$sfx"
  "$bin" --home "$B" hangup
  wait_for sh -c "[ \"\$('$bin' --home '$A' status --json | jq -r .call.state)\" != active ]"
  sleep 0.5 # the panel says how the call ended for a few seconds
  winshot "screenshot-call-ended$sfx"; panel_shown "screenshot-call-ended$sfx"
  sleep 5 # the panel goes
  echo "screenshot: call views$sfx ok (Ana's node: $(call_state "$A"))"
}
call_views ""
xdotool windowsize "$wid" 480 360
call_views "-small"
# (the window stops at its content's smallest width, a few pixels over 480)
size=$(identify -format '%w %h' "$out/screenshot-call-active-small.png")
w=${size% *} h=${size#* }
[ "$h" -eq 360 ] && [ "$w" -le 500 ] ||
  { echo "screenshot: the window did not shrink to about 480x360 (${w}x${h})" >&2; exit 1; }
echo "screenshot: calls ok"
