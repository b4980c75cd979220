package stun

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"time"
)

// Prober asks linked peers for change-IP answers: the asking side of
// Server.Probe. A peer sends only to the IP address this node's link to it
// comes from, so the mapped address it is asked to answer must have that IP.
type Prober interface {
	// Partners lists the IP addresses of the peers that can be asked, best first.
	Partners() []netip.Addr
	// AskProbe asks a peer at ip to send a Binding success response with
	// transaction ID id to mapped, and reports whether one was asked. It
	// must not block.
	AskProbe(ip netip.Addr, mapped netip.AddrPort, id [12]byte) bool
}

// errPartnerGone means no peer at the partner's address can be asked any more.
var errPartnerGone = errors.New("no link to the partner")

// partnerProbe asks linked peers, one at a time, for a change-IP answer to
// mapped. Only peers at an address this socket has not sent to lately,
// this classification has not contacted, and of mapped's family and scope
// are asked (an answer through a hole of our own proves nothing; a peer
// on the LAN sees our link come from a LAN address and refuses to send to
// a public one). An answer that still comes through such a hole is set
// aside and the next peer asked, up to changeIPAsks peers.
func (m *Mux) partnerProbe(ctx context.Context, mapped netip.AddrPort, contacted map[netip.Addr]bool) (probeResult, string, error) {
	now := time.Now()
	var cands []netip.Addr
	for _, ip := range m.prober.Partners() {
		ip = ip.Unmap()
		if contacted[ip] || m.sent.recent(ip, now) || ip == mapped.Addr() || !sameScope(ip, mapped.Addr()) || slices.Contains(cands, ip) {
			continue
		}
		cands = append(cands, ip)
	}
	if len(cands) == 0 {
		return untested, "change-IP: no linked peer at an address this socket has not sent to", nil
	}
	var holes []netip.Addr
	for _, p := range cands[:min(len(cands), changeIPAsks)] {
		r, err := m.exchange(ctx, probeRTO, probeTries, func(r reply) bool { return r.resp.OK }, func(id txID) error {
			if !m.prober.AskProbe(p, mapped, id) {
				return errPartnerGone
			}
			return nil
		})
		switch {
		case errors.Is(err, ErrNoAnswer):
			return blocked, fmt.Sprintf("change-IP via partner %s: blocked (no answer)%s", p, heldHoles(holes)), nil
		case errors.Is(err, errPartnerGone):
			continue
		case err != nil:
			return untested, fmt.Sprintf("change-IP via partner %s: %v", p, err), fmt.Errorf("change-IP probe via %s: %w", p, err)
		case contacted[r.from.Addr()] || m.sent.recent(r.from.Addr(), time.Now()):
			holes = append(holes, r.from.Addr())
			continue
		}
		return passed, fmt.Sprintf("change-IP via partner %s: passed, from %s%s", p, r.from, heldHoles(holes)), nil
	}
	return untested, fmt.Sprintf("change-IP via partners %v: untested%s", cands, heldHoles(holes)), nil
}

// sameScope reports whether a and b are of one family and one reach:
// loopback, private or link-local, or global.
func sameScope(a, b netip.Addr) bool {
	scope := func(ip netip.Addr) int {
		switch {
		case ip.IsLoopback():
			return 0
		case ip.IsPrivate() || ip.IsLinkLocalUnicast():
			return 1
		}
		return 2
	}
	return a.Is4() == b.Is4() && scope(a) == scope(b)
}
