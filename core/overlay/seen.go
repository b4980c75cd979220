package overlay

import "time"

// seenEntry remembers a flood or connect nonce: for dedup, and for the
// reverse path its answer takes.
type seenEntry struct {
	expires  int64 // Unix milliseconds
	prev     Peer  // where it came from; zero at the origin
	origin   bool  // this node started it
	answered bool  // an answer already went back
	tries    uint8 // connect: next hops that failed
}

// fresh reports whether a message sent at ms (Unix milliseconds) is neither
// older than MaxAge nor dated more than MaxSkew ahead.
func (n *Node) fresh(ms int64, now time.Time) bool {
	nowMs := now.UnixMilli()
	return nowMs-ms <= n.p.MaxAge.Milliseconds() && ms-nowMs <= n.p.MaxSkew.Milliseconds()
}

// remember records nonce until a copy of it would be stale anyway.
func (n *Node) remember(nonce Nonce, ms int64, prev Peer, origin bool) {
	if n.seen == nil {
		n.seen = make(map[Nonce]seenEntry)
	}
	if len(n.seen) >= n.seenSweep {
		n.sweepSeen()
		n.seenSweep = max(2*len(n.seen), 32)
	}
	n.seen[nonce] = seenEntry{expires: ms + (n.p.MaxAge + n.p.MaxSkew).Milliseconds(), prev: prev, origin: origin}
}

// sweepSeen forgets expired nonces and refilled rate limiters.
func (n *Node) sweepSeen() {
	now := n.now()
	for k, e := range n.seen {
		if e.expires < now.UnixMilli() {
			delete(n.seen, k)
		}
	}
	for g, b := range n.limiters {
		if b.full(now.UnixNano(), n.p.FloodRate, n.p.FloodBurst) {
			delete(n.limiters, g)
		}
	}
}

// allowFlood takes a token from the bucket of the link a new flood came in on.
func (n *Node) allowFlood(g GUID, now time.Time) bool {
	if n.limiters == nil {
		n.limiters = make(map[GUID]tokenBucket)
	}
	b, ok := n.limiters[g]
	if !ok {
		b = tokenBucket{tokens: n.p.FloodBurst, at: now.UnixNano()}
	}
	allowed := b.allow(now.UnixNano(), n.p.FloodRate, n.p.FloodBurst)
	n.limiters[g] = b
	return allowed
}
