package overlay

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// ErrClosed means the Runner was closed.
var ErrClosed = errors.New("overlay: runner closed")

// Runner drives a Node from many goroutines: link readers deliver messages,
// timers fire, and callers make blocking calls, all serialised by one mutex.
// It starts no goroutines of its own; after Close, late timer callbacks and
// deliveries do nothing.
//
// The Network given in its Config is called with the mutex held: it must
// queue and return, and report failures later through HandleUndeliverable.
type Runner struct {
	mu     sync.Mutex
	node   *Node
	closed bool
}

// NewRunner builds a Node from cfg (Clock defaults to the wall clock) and
// wraps it.
func NewRunner(cfg Config) (*Runner, error) {
	r := &Runner{}
	inner := cfg.Clock
	if inner == nil {
		inner = RealClock{}
	}
	cfg.Clock = lockedClock{inner: inner, r: r}
	n, err := NewNode(cfg)
	if err != nil {
		return nil, err
	}
	r.node = n
	return r, nil
}

// lockedClock runs timer callbacks under the Runner's mutex.
type lockedClock struct {
	inner Clock
	r     *Runner
}

func (c lockedClock) Now() time.Time { return c.inner.Now() }

func (c lockedClock) AfterFunc(d time.Duration, f func()) Timer {
	return c.inner.AfterFunc(d, func() { _ = c.r.Do(func(*Node) { f() }) })
}

// Do runs f with the node under the mutex.
func (r *Runner) Do(f func(n *Node)) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return ErrClosed
	}
	f(r.node)
	return nil
}

// HandleMessage delivers a message from an authenticated link.
func (r *Runner) HandleMessage(from Peer, m Message) {
	_ = r.Do(func(n *Node) { n.HandleMessage(from, m) })
}

// HandleUndeliverable reports a failed delivery.
func (r *Runner) HandleUndeliverable(to Peer, m Message) {
	_ = r.Do(func(n *Node) { n.HandleUndeliverable(to, m) })
}

// await runs start under the mutex and waits for the value it reports, or ctx.
func await[T any](ctx context.Context, r *Runner, start func(n *Node, report func(T))) (T, error) {
	if err := ctx.Err(); err != nil {
		var zero T
		return zero, err
	}
	ch := make(chan T, 1)
	if err := r.Do(func(n *Node) { start(n, func(v T) { ch <- v }) }); err != nil {
		var zero T
		return zero, err
	}
	select {
	case v := <-ch:
		return v, nil
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// Bootstrap joins the overlay through addrs and returns once joined.
func (r *Runner) Bootstrap(ctx context.Context, addrs []netip.AddrPort) error {
	err, waitErr := await(ctx, r, func(n *Node, report func(error)) { n.Join(addrs, report) })
	if waitErr != nil {
		return fmt.Errorf("bootstrap: %w", waitErr)
	}
	if err != nil {
		return fmt.Errorf("bootstrap: %w", err)
	}
	return nil
}

// Lookup finds the nodes closest to target.
func (r *Runner) Lookup(ctx context.Context, target GUID) (LookupResult, error) {
	res, err := await(ctx, r, func(n *Node, report func(LookupResult)) { n.Lookup(target, report) })
	if err != nil {
		return res, fmt.Errorf("lookup %s: %w", target.Short(), err)
	}
	return res, nil
}

// Connect finds a contact and exchanges candidate addresses with it.
func (r *Runner) Connect(ctx context.Context, req ConnectRequest) (ConnectResult, error) {
	res, err := await(ctx, r, func(n *Node, report func(ConnectResult)) { n.Connect(req, report) })
	if err != nil {
		return res, fmt.Errorf("connect: %w", err)
	}
	if res.Err != nil {
		return res, fmt.Errorf("connect: %w", res.Err)
	}
	return res, nil
}

// Close stops the node: once it returns, no callback or delivery touches
// the node again.
func (r *Runner) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}
