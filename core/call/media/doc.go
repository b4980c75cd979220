// Package media is the wire format of a call's media over UDP: it seals
// audio frames, receiver reports and path pings into packets under keys
// derived from the call key the two peers agreed over their pinned TLS
// session, and opens the peer's packets behind a replay window. It does no
// I/O, starts no goroutine and reads no clock: the caller hands it bytes and
// times. IsMedia tells its packets apart from STUN and punch probes on the
// node's shared UDP port.
//
// It must never put audio (or any other body) in the clear on the wire,
// accept a packet whose AEAD tag it did not verify (no field of an
// unauthenticated packet ever reaches the caller), seal two packets under
// one key with the same nonce (the counter only grows and stops at
// MaxCounter), or advance the replay window for a packet it did not
// authenticate.
package media
