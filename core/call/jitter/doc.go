// Package jitter is the receive-side jitter buffer of a voice call: it takes
// Opus packets in whatever order and at whatever time the network delivers
// them (Push) and hands the decoder exactly one thing to play for every 20 ms
// slot the playout clock asks for (Pop): a packet, the FEC data of the next
// packet, a concealment, or silence.
//
// It is a pure type that is handed the time: no goroutine, no timer, no
// device, so a call drives it from its network and audio paths and tests
// drive it from recorded or seeded traces (Simulate, Play). Times should come
// from a monotonic clock (time.Now does); a few milliseconds out of order
// between Push and Pop are fine.
//
// Playout is by timestamp slot. Losses are told from DTX gaps by sequence
// numbers: a DTX gap advances the timestamp but not the sequence number, so
// an empty slot is a loss only when as many packets are missing before the
// next buffered one as there are empty slots left. The delay is measured
// against the fastest recent arrival (a sliding minimum of arrival minus
// send time) and the target is the 95th percentile of that relative delay,
// kept in a forgetting histogram as WebRTC NetEQ does. Two late packets
// within a second raise the target at once; it shrinks as the histogram
// forgets. The buffer grows by holding (a frame of silence or PLC that uses
// up no slot) and shrinks by skipping a slot, at most one a second, both in
// silence when it can. Config.Fixed makes instead a fixed buffer that never
// adapts (ToxAV's method), the baseline to compare against.
//
// It must never block (every method takes one short internal lock and
// nothing else), never allocate per packet in steady state (payloads are
// copied into a ring allocated by New), never play a packet twice or out of
// order (a packet whose slot has been played is dropped as late), never play
// a duplicate, and never hold more than Config.Slots frames (packets further
// ahead are dropped and counted). It never follows a lone stray packet: a
// resync onto a new stream takes three consistent packets, or one after a
// pause, and never a stale one from the past.
package jitter
