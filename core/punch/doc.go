// Package punch opens a direct UDP path to a peer through NATs: both sides
// send authenticated probes to every address the other might have until one
// side's probe is answered, and both learn the address that works. Voice
// calls use it on the node's shared UDP port (through a stun.Mux).
//
// It must never accept a path a stranger offers: every probe carries an
// HMAC-SHA256 under a secret only the two peers know, a side ignores its own
// probes reflected back, and a side answers only authenticated probes. It
// must never send without bound: a fixed number of addresses, each probed
// every 100-200 ms, until the caller's context ends.
package punch
