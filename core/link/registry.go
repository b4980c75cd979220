package link

import (
	"bytes"
	"net/netip"
	"slices"
	"time"

	"tincan/core/overlay"
)

// LinkInfo describes one open link.
type LinkInfo struct {
	GUID       overlay.GUID   // the peer, authenticated by its key
	Remote     netip.AddrPort // the TCP address of the peer's end
	Advertised netip.AddrPort // the peer's IP and the port it listens on; invalid if none
	Inbound    bool           // the peer dialed
	Retiring   bool           // being closed: a duplicate, or the peer is done
	Relay      bool           // the peer's hello announced that it serves relays
	Since      time.Time      // when the handshake completed
	BytesIn    uint64         // on the wire, TLS included
	BytesOut   uint64
	FramesIn   uint64
	FramesOut  uint64
}

// Links returns every open link, ordered by peer GUID and then age.
func (n *Net) Links() []LinkInfo {
	n.mu.Lock()
	out := make([]LinkInfo, 0, len(n.links))
	for l := range n.links {
		out = append(out, LinkInfo{GUID: l.peer, Remote: l.remote, Advertised: l.advertised,
			Inbound: l.inbound, Retiring: n.byGUID[l.peer] != l, Relay: l.flags&flagServesRelay != 0, Since: l.since,
			BytesIn: l.raw.in.Load(), BytesOut: l.raw.out.Load(),
			FramesIn: l.framesIn.Load(), FramesOut: l.framesOut.Load()})
	}
	n.mu.Unlock()
	slices.SortFunc(out, func(a, b LinkInfo) int {
		if c := bytes.Compare(a.GUID[:], b.GUID[:]); c != 0 {
			return c
		}
		return a.Since.Compare(b.Since)
	})
	return out
}

// Linked reports whether a link to g is in use now. It takes no lock, so
// the overlay may ask under its own.
func (n *Net) Linked(g overlay.GUID) bool {
	_, ok := n.linked.Load(g)
	return ok
}

// register puts an established link in use, called with n.mu held. With
// another link to the same peer already in use, both sides keep the same
// one and retire the other.
func (n *Net) register(l *link) {
	n.links[l] = struct{}{}
	if old := n.byGUID[l.peer]; old != nil {
		if !n.prefer(l, old) {
			n.log.Debug("duplicate link retired", "peer", l.peer.Short(), "inbound", l.inbound)
			l.retire()
			return
		}
		n.log.Debug("duplicate link retired", "peer", old.peer.Short(), "inbound", old.inbound)
		n.retireLocked(old)
	}
	n.byGUID[l.peer] = l
	n.linked.Store(l.peer, struct{}{})
	if l.addr.IsValid() {
		n.byAddr[l.addr] = l
	}
}

// prefer reports whether the new link l should replace old, in use to the
// same peer. Links made at about the same time are a simultaneous dial:
// keep the one dialed by the smaller GUID, then the one with the smaller
// link ID (the same on both ends), so both sides agree. A link much older
// than the new one is likely dead on the peer's side (it restarted, or its
// NAT forgot the mapping), so the new one wins.
func (n *Net) prefer(l, old *link) bool {
	if l.since.Sub(old.since) > n.tm.dupWindow {
		return true
	}
	a, b := l.dialer(), old.dialer()
	if c := bytes.Compare(a[:], b[:]); c != 0 {
		return c < 0
	}
	return bytes.Compare(l.id[:], old.id[:]) < 0
}

// retire takes l out of use and lets it drain.
func (n *Net) retire(l *link) {
	n.mu.Lock()
	n.retireLocked(l)
	n.mu.Unlock()
}

func (n *Net) retireLocked(l *link) {
	n.unroute(l)
	l.retire()
}

// unroute takes l out of the routing maps, called with n.mu held.
func (n *Net) unroute(l *link) {
	if n.byGUID[l.peer] == l {
		delete(n.byGUID, l.peer)
		n.linked.Delete(l.peer)
	}
	if n.byAddr[l.addr] == l {
		delete(n.byAddr, l.addr)
	}
}

// unregister forgets a closing link, called with n.mu held.
func (n *Net) unregister(l *link) {
	n.unroute(l)
	delete(n.links, l)
}
