package link

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tincan/core/overlay"
)

// rec is one message a recorder saw.
type rec struct {
	peer overlay.Peer
	m    overlay.Message
}

// recorder is an overlay.Handler that keeps what it is handed.
type recorder struct {
	mu    sync.Mutex
	msgs  []rec
	undel []rec
}

func (r *recorder) HandleMessage(from overlay.Peer, m overlay.Message) {
	r.mu.Lock()
	r.msgs = append(r.msgs, rec{from, m})
	r.mu.Unlock()
}

func (r *recorder) HandleUndeliverable(to overlay.Peer, m overlay.Message) {
	r.mu.Lock()
	r.undel = append(r.undel, rec{to, m})
	r.mu.Unlock()
}

func (r *recorder) messages() []rec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rec(nil), r.msgs...)
}

func (r *recorder) undeliverable() []rec {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]rec(nil), r.undel...)
}

// node is a Net with a listener, an accept loop that reads the prefix byte
// and calls Serve, and a recording Handler.
type node struct {
	t      *testing.T
	net    *Net
	rec    *recorder
	addr   netip.AddrPort
	ln     net.Listener
	cancel context.CancelFunc
	runErr chan error
	accept sync.WaitGroup
	once   sync.Once
}

type nodeOpts struct {
	dialer   Dialer
	queueLen int
	maxLinks int
	logger   *slog.Logger
	tune     func(*timings)
	// handler, if set, makes the Handler in place of a recorder.
	handler func(n *Net, addr netip.AddrPort) overlay.Handler
}

func quietLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func startNode(t *testing.T, o nodeOpts) *node {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().(*net.TCPAddr).AddrPort()
	if o.logger == nil {
		o.logger = quietLogger()
	}
	n, err := New(Config{Key: key, ListenPort: addr.Port(), Dialer: o.dialer, Logger: o.logger,
		MaxLinks: o.maxLinks, QueueLen: o.queueLen})
	if err != nil {
		t.Fatalf("new: %v", err)
	}
	if o.tune != nil {
		o.tune(&n.tm)
	}
	nd := &node{t: t, net: n, rec: &recorder{}, addr: addr, ln: ln, runErr: make(chan error, 1)}
	if o.handler != nil {
		n.SetHandler(o.handler(n, addr))
	} else {
		n.SetHandler(nd.rec)
	}
	ctx, cancel := context.WithCancel(context.Background())
	nd.cancel = cancel
	go func() { nd.runErr <- n.Run(ctx) }()
	nd.accept.Add(1)
	go func() {
		defer nd.accept.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			nd.accept.Add(1)
			go func() {
				defer nd.accept.Done()
				_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
				var b [1]byte
				if _, err := io.ReadFull(c, b[:]); err != nil || b[0] != Prefix {
					_ = c.Close()
					return
				}
				_ = c.SetReadDeadline(time.Time{})
				n.Serve(ctx, c)
			}()
		}
	}()
	t.Cleanup(nd.stop)
	return nd
}

// stop ends Run and the accept loop and checks Run's result.
func (nd *node) stop() {
	nd.once.Do(func() {
		nd.cancel()
		_ = nd.ln.Close()
		nd.accept.Wait()
		select {
		case err := <-nd.runErr:
			if !errors.Is(err, context.Canceled) {
				nd.t.Errorf("Run returned %v, want context.Canceled", err)
			}
		case <-time.After(10 * time.Second):
			nd.t.Errorf("Run did not return")
		}
	})
}

func (nd *node) peer() overlay.Peer { return overlay.Peer{GUID: nd.net.GUID(), Addr: nd.addr} }

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// pingIDs returns the IDs of the Pings among rs.
func pingIDs(rs []rec) map[uint64]overlay.Peer {
	out := make(map[uint64]overlay.Peer)
	for _, r := range rs {
		if p, ok := r.m.(*overlay.Ping); ok {
			out[p.ID] = r.peer
		}
	}
	return out
}

// countingDialer counts dials and can hold them until released.
type countingDialer struct {
	dials   atomic.Int32
	hold    chan struct{} // if not nil, dials wait until it is closed
	holdTo  string        // if set, only dials to this address wait
	arrived chan struct{} // if not nil, gets one value per dial
	wrap    func(net.Conn) net.Conn
}

func (d *countingDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d.dials.Add(1)
	if d.arrived != nil {
		d.arrived <- struct{}{}
	}
	if d.hold != nil && (d.holdTo == "" || d.holdTo == addr) {
		select {
		case <-d.hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	var nd net.Dialer
	c, err := nd.DialContext(ctx, network, addr)
	if err != nil || d.wrap == nil {
		return c, err
	}
	return d.wrap(c), nil
}

// gatedConn blocks writes while its gate is shut.
type gatedConn struct {
	net.Conn
	mu      sync.Mutex
	gate    chan struct{} // closed while writes may go; nil while shut
	blocked chan struct{} // gets a value when a write blocks
	closed  chan struct{}
	once    sync.Once
}

func newGatedConn(c net.Conn) *gatedConn {
	g := &gatedConn{Conn: c, gate: make(chan struct{}), blocked: make(chan struct{}, 1), closed: make(chan struct{})}
	close(g.gate)
	return g
}

func (g *gatedConn) shut() {
	g.mu.Lock()
	g.gate = make(chan struct{})
	g.mu.Unlock()
}

func (g *gatedConn) open() {
	g.mu.Lock()
	close(g.gate)
	g.mu.Unlock()
}

func (g *gatedConn) Write(p []byte) (int, error) {
	g.mu.Lock()
	gate := g.gate
	g.mu.Unlock()
	select {
	case <-gate:
	default:
		select {
		case g.blocked <- struct{}{}:
		default:
		}
		select {
		case <-gate:
		case <-g.closed:
			return 0, net.ErrClosed
		}
	}
	return g.Conn.Write(p)
}

func (g *gatedConn) Close() error {
	g.once.Do(func() { close(g.closed) })
	return g.Conn.Close()
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) netip.AddrPort {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	a := ln.Addr().(*net.TCPAddr).AddrPort()
	_ = ln.Close()
	return a
}
