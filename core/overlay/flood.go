package overlay

import "crypto/subtle"

// handleFlood takes a flood envelope: drop it if stale, already seen or over
// the link's rate; otherwise remember where it came from, try to open it
// (the one trial decryption it costs this node), and forward it once to
// every peer but the one it came from. The receiver forwards too, so the
// flood does not show who it was for.
func (n *Node) handleFlood(from Peer, m *Flood) {
	now := n.now()
	if !n.fresh(m.Time, now) {
		n.stats.Stale++
		return
	}
	if _, dup := n.seen[m.Nonce]; dup {
		n.stats.Replayed++
		return
	}
	if !n.allowFlood(from.GUID, now) {
		n.stats.RateLimited++
		return
	}
	n.remember(m.Nonce, m.Time, from, false)
	if u := n.user; u != nil && u.Opener != nil {
		n.openFlood(u, from, m)
	}
	if m.TTL <= 1 {
		return
	}
	n.stats.FloodsForwarded++
	fwd := &Flood{Nonce: m.Nonce, Time: m.Time, TTL: m.TTL - 1, Envelope: m.Envelope}
	n.table.ForEach(func(p Peer) {
		if p.GUID != from.GUID {
			n.send(p, fwd)
		}
	})
}

func (n *Node) openFlood(u *User, from Peer, m *Flood) {
	n.stats.TrialDecrypts++
	pt, err := u.Opener.Open(m.Envelope, outerAAD(labelFlood, m.Nonce, m.Time, nil))
	if err != nil {
		return
	}
	h, err := decodeHello(pt)
	if err != nil || h.Nonce != m.Nonce || h.Time != m.Time {
		n.log.Debug("flood opened but malformed", "err", err)
		return
	}
	n.answer(u, h, from, ViaFlood)
}

// answer sends this node's candidates and relays, sealed with the sender's
// reply key, back along the reverse path, if the request names the current
// secret ID.
func (n *Node) answer(u *User, h *hello, prev Peer, via Via) {
	if subtle.ConstantTimeCompare(h.SecretID[:], u.SecretID[:]) != 1 {
		n.stats.Rejected++ // an old secret ID: a contact that was dropped
		return
	}
	if n.accept != nil && !n.accept(h.From) {
		n.log.Debug("set-up request from a stranger held", "via", via)
		n.stats.Rejected++
		n.hold(h, prev, via)
		return
	}
	sealed, err := sealAnswer(h.ReplyKey, h.Nonce,
		&reply{GUID: n.self, Time: n.now().UnixMilli(), Candidates: n.Candidates(), Relays: n.relays()}, n.rand)
	if err != nil {
		n.log.Warn("seal answer", "err", err)
		return
	}
	e := n.seen[h.Nonce]
	e.answered = true
	n.seen[h.Nonce] = e
	if via == ViaFlood {
		n.send(prev, &FloodAnswer{Nonce: h.Nonce, Sealed: sealed})
	} else {
		n.send(prev, &ConnectAnswer{Nonce: h.Nonce, Sealed: sealed})
	}
	n.stats.Answered++
	if n.onIncoming != nil {
		n.onIncoming(Incoming{From: h.From, GUID: h.GUID, Candidates: h.Candidates, Relays: h.Relays, Via: via})
	}
}

// handleAnswer passes an answer one hop back along the path its request
// came, once; at the origin it completes the set-up.
func (n *Node) handleAnswer(m Message, nonce Nonce, sealed []byte) {
	e, ok := n.seen[nonce]
	n.log.Debug("answer", "known", ok, "answered", e.answered, "origin", e.origin, "prev", e.prev.GUID.Short())
	if !ok || e.answered {
		return
	}
	if e.origin {
		n.completeSetup(nonce, sealed)
		return
	}
	e.answered = true
	n.seen[nonce] = e
	n.send(e.prev, m)
}
