package overlay

import (
	"errors"
	"net/netip"
	"time"
)

// Via says how a set-up reached the receiver.
type Via uint8

// Ways a set-up can succeed.
const (
	ViaNone       Via = iota
	ViaCache          // a recent result was reused
	ViaRendezvous     // a rendezvous record, then a routed connect
	ViaFlood          // the flood
)

// String names v.
func (v Via) String() string {
	switch v {
	case ViaCache:
		return "cache"
	case ViaRendezvous:
		return "rendezvous"
	case ViaFlood:
		return "flood"
	}
	return "none"
}

// Mode chooses the set-up methods to try.
type Mode uint8

// Set-up modes.
const (
	ModeAuto       Mode = iota // rendezvous, then the flood as a fallback
	ModeRendezvous             // rendezvous only
	ModeFlood                  // the flood only
)

// ErrUnreachable means no set-up method got an answer.
var ErrUnreachable = errors.New("overlay: receiver did not answer")

// ConnectRequest names the contact to reach.
type ConnectRequest struct {
	SecretID SecretID // from the contact's card
	Sealer   Sealer   // seals to the contact's public key; nil rules out the flood
	Mode     Mode
}

// ConnectResult says where the receiver can be reached, or why not.
type ConnectResult struct {
	GUID       GUID
	Candidates []netip.AddrPort
	Relays     []netip.AddrPort // relays the receiver offered; nil if none
	Via        Via
	Err        error
}

type cachedResult struct {
	res ConnectResult
	at  int64 // Unix nanoseconds
}

// setup is one Connect in progress.
type setup struct {
	req        ConnectRequest
	done       func(ConnectResult)
	hours      []uint32 // rendezvous tags still to try
	floodTried bool
	nonce      Nonce
	replyKey   [32]byte
	target     GUID // the GUID a rendezvous record named
	via        Via
	timer      Timer
}

// Connect finds the contact and exchanges candidate addresses with it. It
// looks up the contact's rendezvous record for this hour (and the previous
// one early in the hour), routes a connect request to the GUID it names, and
// falls back to the flood when that fails. No node but the receiver can open
// anything it sends, and only the flood costs anyone a private-key operation.
// done runs once, possibly before Connect returns.
func (n *Node) Connect(req ConnectRequest, done func(ConnectResult)) {
	now := n.now()
	if c, ok := n.setupCache.get(req.SecretID); ok && now.UnixNano()-c.at < int64(n.p.RecentTTL) {
		res := c.res
		res.Via = ViaCache
		done(res)
		return
	}
	s := &setup{req: req, done: done}
	if req.Mode != ModeFlood {
		h := HourOf(now)
		s.hours = []uint32{h}
		if now.Sub(hourStart(h)) < 5*time.Minute {
			s.hours = append(s.hours, h-1)
		}
	}
	n.advance(s)
}

// advance tries the next method left for s, or reports failure.
func (n *Node) advance(s *setup) {
	if n.table.Len() > 0 && len(s.hours) > 0 {
		h := s.hours[0]
		s.hours = s.hours[1:]
		n.rendezvous(s, h)
		return
	}
	if n.table.Len() > 0 && !s.floodTried && s.req.Mode != ModeRendezvous && s.req.Sealer != nil {
		s.floodTried = true
		n.flood(s)
		return
	}
	s.done(ConnectResult{Err: ErrUnreachable})
}

func (n *Node) rendezvous(s *setup, hour uint32) {
	id := s.req.SecretID
	var found *reply
	accept := func(recs []Record) bool { // the newest record that opens
		for _, r := range recs {
			if r.Hour != hour {
				continue
			}
			rep, err := openRecord(id, r)
			if err == nil && rep.GUID != n.self && !rep.GUID.IsZero() && (found == nil || rep.Time > found.Time) {
				found = rep
			}
		}
		return found != nil
	}
	n.startLookup(Tag(id, hour), true, accept, func(res LookupResult) {
		n.log.Debug("rendezvous lookup", "hour", hour, "found", found != nil, "asked", len(res.Closest))
		if found == nil {
			n.advance(s)
			return
		}
		n.sendConnect(s, found)
	})
}

// newHello starts an attempt: a fresh nonce and reply key, and the hello
// that carries them.
func (n *Node) newHello(s *setup, now time.Time) *hello {
	s.nonce = n.newNonce()
	n.randBytes(s.replyKey[:])
	h := &hello{SecretID: s.req.SecretID, ReplyKey: s.replyKey, GUID: n.self, Nonce: s.nonce,
		Time: now.UnixMilli(), Candidates: n.Candidates(), Relays: n.relays()}
	if n.user != nil {
		h.From = n.user.Fingerprint
	}
	return h
}

// sendConnect routes a connect request, sealed with a key only the
// receiver's contacts can derive, toward the GUID the record named.
func (n *Node) sendConnect(s *setup, rec *reply) {
	now := n.now()
	h := n.newHello(s, now)
	target := rec.GUID
	pt, err := encodeHello(h)
	if err == nil {
		var sealed []byte
		sealed, err = sealRandomNonce(connectKey(s.req.SecretID), pt,
			outerAAD(labelConnect, h.Nonce, h.Time, &target), n.rand)
		if err == nil {
			m := &Connect{Nonce: h.Nonce, Time: h.Time, TTL: n.p.ConnectTTL, Target: target, Sealed: sealed}
			n.remember(m.Nonce, m.Time, Peer{}, true)
			sent := false
			for _, a := range rec.Relays { // the target's introducers
				n.send(Peer{Addr: a}, m)
				sent = true
			}
			if n.routeConnect(m, GUID{}) || sent {
				n.wait(s, ViaRendezvous, target, n.p.SetupTimeout)
				return
			}
		}
	}
	if err != nil {
		n.log.Warn("connect: seal request", "err", err)
	}
	n.advance(s)
}

// flood seals a hello to the receiver's public key and sends it to every peer.
func (n *Node) flood(s *setup) {
	now := n.now()
	h := n.newHello(s, now)
	pt, err := encodeHello(h)
	if err == nil {
		var env []byte
		env, err = s.req.Sealer.Seal(pt, outerAAD(labelFlood, h.Nonce, h.Time, nil))
		if err == nil {
			m := &Flood{Nonce: h.Nonce, Time: h.Time, TTL: n.p.FloodTTL, Envelope: env}
			n.remember(m.Nonce, m.Time, Peer{}, true)
			n.wait(s, ViaFlood, GUID{}, n.p.FloodTimeout)
			n.table.ForEach(func(p Peer) { n.send(p, m) })
			return
		}
	}
	n.log.Warn("flood: seal envelope", "err", err)
	n.advance(s)
}

// wait registers s for the answer to its current nonce, for at most d.
func (n *Node) wait(s *setup, via Via, target GUID, d time.Duration) {
	if n.setups == nil {
		n.setups = make(map[Nonce]*setup)
	}
	s.via, s.target = via, target
	nonce := s.nonce
	n.setups[nonce] = s
	s.timer = n.clock.AfterFunc(d, func() {
		if n.setups[nonce] != s {
			return
		}
		delete(n.setups, nonce)
		n.advance(s)
	})
}

// completeSetup opens an answer that came back to the origin.
func (n *Node) completeSetup(nonce Nonce, sealed []byte) {
	s := n.setups[nonce]
	if s == nil {
		return
	}
	rep, err := openAnswer(s.replyKey, nonce, sealed)
	if err != nil || (s.via == ViaRendezvous && rep.GUID != s.target) {
		return // forged or garbled: keep waiting for the real one
	}
	delete(n.setups, nonce)
	s.timer.Stop()
	e := n.seen[nonce]
	e.answered = true
	n.seen[nonce] = e
	res := ConnectResult{GUID: rep.GUID, Candidates: rep.Candidates, Relays: rep.Relays, Via: s.via}
	n.setupCache.put(s.req.SecretID, cachedResult{res: res, at: n.now().UnixNano()})
	if len(rep.Candidates) > 0 {
		n.recent.put(rep.GUID, Peer{GUID: rep.GUID, Addr: rep.Candidates[0]})
	}
	s.done(res)
}

// handleConnect takes a routed connect request: the target opens it with
// its connect key (no private-key operation); anyone else passes it one hop
// closer to the target.
func (n *Node) handleConnect(from Peer, m *Connect) {
	if !n.fresh(m.Time, n.now()) {
		n.stats.Stale++
		return
	}
	if _, dup := n.seen[m.Nonce]; dup {
		n.stats.Replayed++
		return
	}
	n.remember(m.Nonce, m.Time, from, false)
	if m.Target == n.self {
		n.log.Debug("connect for us", "from", from.GUID.Short())
		n.receiveConnect(from, m)
		return
	}
	if m.TTL <= 1 {
		return
	}
	n.routeConnect(&Connect{Nonce: m.Nonce, Time: m.Time, TTL: m.TTL - 1, Target: m.Target, Sealed: m.Sealed}, from.GUID)
}

func (n *Node) receiveConnect(from Peer, m *Connect) {
	u := n.user
	if u == nil {
		return
	}
	target := m.Target
	pt, err := openRandomNonce(n.connKey, m.Sealed, outerAAD(labelConnect, m.Nonce, m.Time, &target))
	if err != nil {
		n.stats.Rejected++ // sealed for an old secret ID, or forged
		return
	}
	h, err := decodeHello(pt)
	if err != nil || h.Nonce != m.Nonce || h.Time != m.Time {
		return
	}
	n.answer(u, h, from, ViaRendezvous)
}

// routeConnect sends m to the known node closest to its target, if that is
// closer than this node. The origin (no exclude) also sends it over a live
// link as a detour when the first hop would need a dial: a node behind a NAT
// is reached only over links it opened, and the nodes it linked to (the
// entry points) forward it. The target answers the first copy; the nonce
// dedup drops the other. It reports whether it sent.
func (n *Node) routeConnect(m *Connect, exclude GUID) bool {
	next, ok := n.nextHop(m.Target, exclude)
	n.log.Debug("route connect", "target", m.Target.Short(), "next", next.GUID.Short(), "ok", ok, "linked", n.linker != nil && ok && n.linker.Linked(next.GUID))
	if ok && exclude.IsZero() && n.linker != nil && !n.linker.Linked(next.GUID) {
		if d, ok := n.detour(m.Target, next.GUID); ok {
			n.send(d, m)
		}
	}
	if !ok && exclude.IsZero() && n.linker != nil {
		next, ok = n.detour(m.Target, GUID{})
	}
	if !ok {
		n.stats.DeadEnds++
		return false
	}
	n.send(next, m)
	return true
}

// detour is the linked peer closest to target other than skip.
func (n *Node) detour(target, skip GUID) (Peer, bool) {
	var buf [16]Peer
	for _, p := range n.table.Closest(target, len(buf), buf[:0]) {
		if p.GUID != skip && n.linker.Linked(p.GUID) {
			return p, true
		}
	}
	return Peer{}, false
}

// rerouteConnect tries another next hop after a failed delivery, a few times.
func (n *Node) rerouteConnect(m *Connect) {
	e, ok := n.seen[m.Nonce]
	if !ok || e.tries >= 3 {
		return
	}
	e.tries++
	n.seen[m.Nonce] = e
	n.routeConnect(m, e.prev.GUID)
}

// nextHop is the target itself when linked or known, else the known node
// closest to it that is closer than this node.
func (n *Node) nextHop(target, exclude GUID) (Peer, bool) {
	if p, ok := n.table.Get(target); ok {
		return p, true
	}
	if p, ok := n.recent.get(target); ok {
		return p, true
	}
	var buf [4]Peer
	for _, p := range n.table.Closest(target, len(buf), buf[:0]) {
		if p.GUID != exclude && closer(target, p.GUID, n.self) {
			return p, true
		}
	}
	return Peer{}, false
}
