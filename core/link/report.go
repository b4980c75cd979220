package link

import (
	"sync"

	"tincan/core/overlay"
)

// pending is a message waiting to be sent, with the Peer it was sent to.
type pending struct {
	to overlay.Peer
	m  overlay.Message
}

// reporter hands undeliverable messages to the Handler from its own
// goroutine, so that Send never calls the Handler.
type reporter struct {
	mu     sync.Mutex
	items  []pending
	closed bool
	wake   chan struct{} // capacity 1
}

// undeliverable queues p to be reported undeliverable.
func (n *Net) undeliverable(ps ...pending) {
	if len(ps) == 0 {
		return
	}
	r := &n.rep
	r.mu.Lock()
	if r.closed {
		r.mu.Unlock()
		return
	}
	r.items = append(r.items, ps...)
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// runReporter reports until stop is closed.
func (n *Net) runReporter(stop <-chan struct{}) {
	for {
		select {
		case <-n.rep.wake:
			n.flushReports()
		case <-stop:
			return
		}
	}
}

// flushReports reports every queued item.
func (n *Net) flushReports() {
	for {
		n.rep.mu.Lock()
		items := n.rep.items
		n.rep.items = nil
		n.rep.mu.Unlock()
		if len(items) == 0 {
			return
		}
		h := n.handlerOf()
		for _, p := range items {
			n.log.Debug("undeliverable", "to", p.to, "type", p.m.Type())
			if h != nil {
				h.HandleUndeliverable(p.to, p.m)
			}
		}
	}
}

// close drops anything reported from now on.
func (r *reporter) close() {
	r.mu.Lock()
	r.closed = true
	r.items = nil
	r.mu.Unlock()
}
