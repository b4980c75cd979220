// Package call runs voice calls between contacts: the signalling state
// machine (offer, ringing, answer, decline, busy, cancel, end, keepalive,
// glare, timeouts) over the contact's pinned TLS session, and the media
// pipeline that carries Opus audio sealed with the call's keys over UDP
// (punched through NATs) or, when no UDP path exists, over the TLS session.
//
// The pieces beside it are pure and tested alone: jitter (the adaptive
// jitter buffer), media (packet format, sealing, replay window), codec
// (Opus glue), rate (bitrate and FEC adaptation), aec (echo cancellation),
// quality and impair (measures and a lossy network for tests and benches).
//
// Locking: Manager.mu guards the current call and every field of it; no
// callback (Signal, Media, Emit) is ever called with mu held. Effects of a
// transition run after mu is released, in transition order, under fxMu.
//
// It must never play or send audio of a call the user did not start or
// accept, put audio on the wire unsealed, run more than one call at a time,
// or block the caller of an API method on the network or the audio device.
package call
