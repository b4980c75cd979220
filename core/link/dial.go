package link

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
)

// dialing is one dial in progress and the messages waiting for it.
type dialing struct {
	addr  netip.AddrPort
	queue []pending
}

// queueDial adds p to the dial to p.to.Addr, starting the dial if there is
// none yet. Called with n.mu held.
func (n *Net) queueDial(p pending) {
	d := n.dials[p.to.Addr]
	if d == nil {
		d = &dialing{addr: p.to.Addr}
		n.dials[d.addr] = d
		n.wg.Add(1)
		go n.dial(d)
	}
	if len(d.queue) >= n.queueLen {
		n.log.Debug("dial queue full", "addr", d.addr, "type", p.m.Type())
		n.undeliverable(p)
		return
	}
	d.queue = append(d.queue, p)
}

// dial connects to d.addr and hands the queued messages to the new link:
// those for its peer (or for any GUID) are sent, the rest reported
// undeliverable. A link none of them wants is closed.
func (n *Net) dial(d *dialing) {
	l, err := n.connect(d.addr)

	n.mu.Lock()
	delete(n.dials, d.addr)
	queue := d.queue
	d.queue = nil
	if err == nil && n.state == stopped {
		err = context.Canceled
	}
	var ok, bad []pending
	if err == nil {
		for _, p := range queue {
			if p.to.GUID.IsZero() || p.to.GUID == l.peer {
				ok = append(ok, p)
			} else {
				bad = append(bad, p)
			}
		}
		if len(bad) > 0 {
			n.log.Warn("dialed node is not the pinned one", "addr", d.addr,
				"got", l.peer.Short(), "want", bad[0].to.GUID.Short())
		}
		if len(ok) == 0 {
			err = fmt.Errorf("dial %s: %w", d.addr, ErrPinned)
		}
	}
	if err != nil {
		n.mu.Unlock()
		if l != nil {
			l.release()
		}
		if !errors.Is(err, context.Canceled) {
			n.log.Debug("dial failed", "addr", d.addr, "err", err)
		}
		n.undeliverable(queue...)
		n.wg.Done()
		return
	}
	l.queue = ok // the writer has not started; nothing else sees l yet
	n.register(l)
	n.mu.Unlock()
	n.undeliverable(bad...)
	l.run()
}

// connect dials addr and runs the handshake, returning the link unused.
func (n *Net) connect(addr netip.AddrPort) (*link, error) {
	return n.connectWith(addr, n.dialer, false)
}

// connectWith is connect through dialer; a probe's link keeps its hello's
// say out of the book.
func (n *Net) connectWith(addr netip.AddrPort, dialer Dialer, probe bool) (*link, error) {
	ctx, cancel := context.WithTimeout(n.ctx, n.tm.dial)
	defer cancel()
	c, err := dialer.DialContext(ctx, "tcp", addr.String())
	if err != nil {
		if n.ctx.Err() != nil {
			return nil, fmt.Errorf("dial %s: %w", addr, context.Canceled)
		}
		return nil, fmt.Errorf("dial %s: %w", addr, err)
	}
	l := n.newLink(c, false, addr)
	l.probe = probe
	if err := l.handshake(); err != nil {
		l.release()
		if n.ctx.Err() != nil {
			return nil, fmt.Errorf("link to %s: %w", addr, context.Canceled)
		}
		return nil, fmt.Errorf("link to %s: %w", addr, err)
	}
	return l, nil
}
