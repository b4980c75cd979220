// Package impair is a user-space network impairer for call tests and the
// call benchmark (this kernel has no netem): a UDP proxy on a loopback
// address that forwards datagrams between two peers and delays, jitters,
// reorders and drops them on the way, each direction with its own settings.
// Peer A sends to the proxy's Addr; the proxy sends on to the configured
// Target from its own socket (UpstreamAddr), and what Target sends back,
// there or to Addr, goes to the last address A sent from, as through a NAT.
// Every random choice comes from math/rand/v2 seeded by the Config, one
// source per direction, so the same packets meet the same fate on every run.
//
// It must never send anywhere but the two peers: the configured Target and
// the learned A, both loopback addresses (New refuses any other listen
// address or Target, and datagrams from a non-loopback source are
// discarded, so no peer can be learned off the machine). It must never grow
// without bound: at most MaxQueue datagrams wait at once. It must never
// leave a goroutine behind: Close stops the two readers and the scheduler
// and waits for them.
package impair
