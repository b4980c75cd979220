package link

import (
	"context"
	"fmt"
	"net/netip"

	"tincan/core/overlay"
)

// Probed is what a probe learnt: who answered, and where it saw us.
type Probed struct {
	GUID     overlay.GUID   // the node that completed the handshake
	Observed netip.AddrPort // our address as its hello says it saw it; invalid if it said none
}

// Probe dials addr, runs the whole link handshake (prefix, TLS 1.3 with the
// node keys, hellos) and hangs up, returning the GUID of the node that
// answered. A listener that is not a tincan node fails the handshake.
// The link is never registered or used for messages.
func (n *Net) Probe(ctx context.Context, addr netip.AddrPort) (overlay.GUID, error) {
	p, err := n.ProbeVia(ctx, addr, nil)
	return p.GUID, err
}

// ProbeVia is Probe through dialer (nil: the Net's own), and also returns
// where the peer saw us: dialed from a fixed local port, that is how our
// NAT maps the port toward the peer. The peer's say stays out of the
// observed book (it is about the probe's port, not our links').
func (n *Net) ProbeVia(ctx context.Context, addr netip.AddrPort, dialer Dialer) (Probed, error) {
	if dialer == nil {
		dialer = n.dialer
	}
	type result struct {
		l   *link
		err error
	}
	done := make(chan result, 1)
	n.wg.Add(1) // the Net's Close waits for it; connect is bounded by the dial and handshake timeouts
	go func() {
		defer n.wg.Done()
		l, err := n.connectWith(addr, dialer, true)
		done <- result{l, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return Probed{}, fmt.Errorf("probe %s: %w", addr, r.err)
		}
		p := Probed{GUID: r.l.peer}
		if known(r.l.heard) {
			p.Observed = netip.AddrPortFrom(r.l.heard.Addr().Unmap(), r.l.heard.Port())
		}
		r.l.release()
		return p, nil
	case <-ctx.Done():
		n.wg.Add(1)
		go func() { // the handshake has its own deadline; reap it
			defer n.wg.Done()
			if r := <-done; r.l != nil {
				r.l.release()
			}
		}()
		return Probed{}, fmt.Errorf("probe %s: %w", addr, ctx.Err())
	}
}
