package node

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"time"

	"tincan/core/overlay"
)

// maxObservedCandidates bounds the external addresses offered from what
// link peers observe.
const maxObservedCandidates = 2

// addrCache holds addresses recomputed in the background (our extra
// candidates, the relays we reach), so that the overlay can read them under
// its lock without I/O.
type addrCache struct {
	mu    sync.Mutex
	addrs []netip.AddrPort
}

func (e *addrCache) get() []netip.AddrPort {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.addrs
}

func (e *addrCache) set(as []netip.AddrPort) {
	e.mu.Lock()
	e.addrs = as
	e.mu.Unlock()
}

// computeExtra lists the addresses beyond the listen addresses that this
// node offers contacts: the mapped addresses (and a sequential NAT's predicted
// ports), then each external IP our link peers see us at with the listen
// port (a NAT that keeps ports maps the listen port there once it has sent
// from it; a punch dial does).
func computeExtra(port uint16, mapped, observed []netip.AddrPort) []netip.AddrPort {
	var out []netip.AddrPort
	add := func(a netip.AddrPort) {
		if a.IsValid() && !a.Addr().IsUnspecified() && a.Port() != 0 && !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	for _, a := range mapped {
		add(a)
	}
	n := 0
	for _, o := range observed {
		if n == maxObservedCandidates || port == 0 {
			break
		}
		a := netip.AddrPortFrom(o.Addr().Unmap(), port)
		if !slices.Contains(out, a) {
			add(a)
			n++
		}
	}
	return out
}

// candidateLoop refreshes the extra candidates every few seconds until ctx ends.
func (o *overlayPart) candidateLoop(ctx context.Context) {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		var predicted []netip.AddrPort
		if p := o.n.nat; p != nil {
			predicted = p.predicted(ctx)
		}
		known := o.mappedAddrs()
		if m := o.tcpMap.get(); m.External.IsValid() {
			known = append(known, m.External) // where the NAT maps our port (agreed, or one peer's hint)
		}
		o.extra.set(computeExtra(o.listen.Port(), append(known, predicted...), o.net.Observed()))
		rs := slices.Clone(o.n.relay.static)
		for _, p := range o.net.Relays() {
			if len(rs) < overlay.MaxRelays && !slices.Contains(rs, p.Addr) {
				rs = append(rs, p.Addr)
			}
		}
		o.relays.set(rs)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// mappedAddrs are the external addresses the router maps to us now.
func (o *overlayPart) mappedAddrs() []netip.AddrPort { return o.n.mappedTCP() }

// ownRelays are the relays this node reaches now.
func (o *overlayPart) ownRelays() []netip.AddrPort { return o.relays.get() }

// relaysOf are the relays contact id offered when last found.
func (o *overlayPart) relaysOf(id int64) []netip.AddrPort {
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.reached[id]
	if !ok || time.Since(r.At) > 10*time.Minute {
		return nil
	}
	return slices.Clone(r.Relays)
}
