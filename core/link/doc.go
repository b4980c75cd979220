// Package link is the overlay's real Network: long-lived TCP connections
// wrapped in TLS 1.3, authenticated both ways by Ed25519 node keys, each
// carrying overlay frames in both directions.
//
// A dialer writes the byte Prefix before its TLS ClientHello, because the
// node's listener also serves the chat protocol; the node reads that byte
// and hands the connection to Serve. After the handshake both sides send a
// short link hello with the port they listen on, the address they see the
// other side at, and flags: whether they serve relays (splice streams for
// other nodes). Relays lists the relay-serving peers this node dialed.
//
// It must never deliver a message from a peer whose key it has not
// verified, never block or call the Handler inside Send, never lose a queued
// message without reporting it undeliverable, and never leave a goroutine
// running after Run returns.
package link
