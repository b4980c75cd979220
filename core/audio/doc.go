// Package audio is tincan's sound card for voice calls: a Device is a duplex
// audio endpoint driven by its own clock (a real one through miniaudio via
// malgo, miniaudio's null backend, or a pair of WAV files played in real
// time), and a Stream adapts any Device to the 20 ms frames of 48 kHz mono
// 16-bit audio that the call pipeline reads and writes. It also makes the
// ring and ringback tones and reads and writes WAV files.
//
// Between a device's callback and the Stream there are only preallocated
// lock-free single-producer single-consumer rings of samples and a
// one-slot wake channel sent to without blocking.
//
// It must never block or allocate on the audio thread (the device callback);
// never call into miniaudio (Stop, Uninit) from miniaudio's own callbacks;
// never keep a slice miniaudio handed to a callback past that callback; and
// never leave a device running after Stop or a Stream's Close. It must never
// trust a WAV header: sizes are checked against the file and against a limit
// of MaxWAVDuration of audio.
package audio
