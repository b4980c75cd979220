package link

import (
	"context"
	"fmt"
	"net/netip"

	"tincan/core/overlay"
)

// Probe dials addr, runs the whole link handshake (prefix, TLS 1.3 with the
// node keys, hellos) and hangs up, returning the GUID of the node that
// answered. A listener that is not a tincan node fails the handshake.
// The link is never registered or used for messages.
func (n *Net) Probe(ctx context.Context, addr netip.AddrPort) (overlay.GUID, error) {
	type result struct {
		l   *link
		err error
	}
	done := make(chan result, 1)
	n.wg.Add(1) // the Net's Close waits for it; connect is bounded by the dial and handshake timeouts
	go func() {
		defer n.wg.Done()
		l, err := n.connect(addr)
		done <- result{l, err}
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return overlay.GUID{}, fmt.Errorf("probe %s: %w", addr, r.err)
		}
		g := r.l.peer
		r.l.release()
		return g, nil
	case <-ctx.Done():
		n.wg.Add(1)
		go func() { // the handshake has its own deadline; reap it
			defer n.wg.Done()
			if r := <-done; r.l != nil {
				r.l.release()
			}
		}()
		return overlay.GUID{}, fmt.Errorf("probe %s: %w", addr, ctx.Err())
	}
}
