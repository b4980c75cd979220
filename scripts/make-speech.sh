#!/usr/bin/env bash
# Regenerates the speech WAVs the call tests and `make bench-call` use
# (assets/speech/speech-{a,b}.wav: 48 kHz, mono, 16-bit), with espeak-ng
# and sox. The files are committed so tests do not depend on espeak's version.
set -euo pipefail
cd "$(dirname "$0")/../assets/speech"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
espeak-ng -v en-us -s 150 -w "$tmp/a.wav" "The quick brown fox jumps over the lazy dog. Please call me back when you get home tonight, we need to talk about the trip to the mountains next week. Seven, eight, nine, ten."
espeak-ng -v en-gb+f3 -s 140 -w "$tmp/b.wav" "Hello, can you hear me clearly now? I am calling from the kitchen, and the kettle is about to boil. Let us meet at the station at half past four."
for x in a b; do sox "$tmp/$x.wav" -r 48000 -c 1 -b 16 "speech-$x.wav"; done
