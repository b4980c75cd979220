package link

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"tincan/core/overlay"
)

// link is one authenticated TLS connection to a peer node. Its handshake
// runs in the goroutine that made it, which then becomes its reader; one
// more goroutine writes.
type link struct {
	n       *Net
	raw     *countConn
	conn    *tls.Conn
	inbound bool

	// Set by the handshake, read-only afterwards.
	peer       overlay.GUID   // authenticated by the peer's certificate
	addr       netip.AddrPort // the Peer.Addr handed to the Handler; the byAddr key
	remote     netip.AddrPort // the TCP peer address
	advertised netip.AddrPort // remote IP and the peer's listen port; invalid if it listens on none
	flags      uint8          // the flags of the peer's hello
	heard      netip.AddrPort // our address as the peer's hello says it saw it
	probe      bool           // a probe's link: its hello's say stays out of the book
	id         [16]byte       // the same on both sides: orders duplicate links
	since      time.Time

	ctx        context.Context // done once the link is closing
	cancel     context.CancelFunc
	stopAfter  func() bool   // unregisters the close on ctx
	afterDone  chan struct{} // closed once that close has run
	closeOnce  sync.Once
	writerDone chan struct{}

	framesIn, framesOut atomic.Uint64
	lastIn, lastOut     atomic.Int64 // Unix nanoseconds of the last frame

	mu       sync.Mutex
	queue    []pending
	retiring bool // no new messages come; close once the queue is written
	dead     bool // the writer has stopped
	wake     chan struct{}
}

// newLink wraps a fresh connection; addr is the dialed address of an
// outbound link. Canceling the link, or the Net, closes the connection.
func (n *Net) newLink(c net.Conn, inbound bool, addr netip.AddrPort) *link {
	setKeepAlive(c)
	ctx, cancel := context.WithCancel(n.ctx)
	l := &link{n: n, raw: &countConn{Conn: c}, inbound: inbound, addr: addr,
		remote: addrPortOf(c.RemoteAddr()), ctx: ctx, cancel: cancel,
		writerDone: make(chan struct{}), wake: make(chan struct{}, 1), afterDone: make(chan struct{})}
	l.stopAfter = context.AfterFunc(ctx, func() {
		_ = l.raw.Close()
		close(l.afterDone)
	})
	return l
}

// release closes the connection for good and waits for the close that
// canceling the link triggers, so no goroutine outlives the link's owner.
func (l *link) release() {
	l.cancel()
	if !l.stopAfter() {
		<-l.afterDone
	}
	_ = l.raw.Close()
}

// handshake runs the prefix (outbound), the TLS handshake and the hello
// exchange, all under one deadline.
func (l *link) handshake() error {
	n := l.n
	if err := l.raw.SetDeadline(time.Now().Add(n.tm.handshake)); err != nil {
		return fmt.Errorf("set handshake deadline: %w", err)
	}
	var got overlay.GUID
	if l.inbound {
		l.conn = tls.Server(l.raw, n.tlsConfig(true, &got))
	} else {
		if _, err := l.raw.Write([]byte{Prefix}); err != nil {
			return fmt.Errorf("write prefix: %w", err)
		}
		l.conn = tls.Client(l.raw, n.tlsConfig(false, &got))
	}
	if err := l.conn.Handshake(); err != nil {
		return fmt.Errorf("tls handshake: %w", err)
	}
	if got.IsZero() { // cannot happen: the handshake verified a certificate
		return fmt.Errorf("tls handshake: %w: unverified", ErrPeerKey)
	}
	l.peer = got
	var flags uint8
	if n.servesRelay.Load() {
		flags |= flagServesRelay
	}
	if l.probe {
		flags |= flagProbe
	}
	out := appendHello(make([]byte, 0, helloHeader+helloBodyFlags), hello{Port: n.port, Observed: l.remote, Flags: flags})
	if _, err := l.conn.Write(out); err != nil {
		return fmt.Errorf("write hello: %w", err)
	}
	h, err := readHello(l.conn)
	if err != nil {
		return err
	}
	cs := l.conn.ConnectionState()
	id, err := cs.ExportKeyingMaterial("tincan overlay link id", nil, len(l.id))
	if err != nil {
		return fmt.Errorf("link id: %w", err)
	}
	copy(l.id[:], id)
	if err := l.raw.SetDeadline(time.Time{}); err != nil {
		return fmt.Errorf("clear handshake deadline: %w", err)
	}
	if h.Port != 0 && l.remote.IsValid() {
		l.advertised = netip.AddrPortFrom(l.remote.Addr(), h.Port)
	}
	if l.inbound {
		l.addr = l.advertised
		if !l.addr.IsValid() {
			l.addr = l.remote
		}
	}
	l.flags = h.Flags
	l.since = time.Now()
	l.heard = h.Observed
	if !l.probe {
		l.noteObserved(h.Observed)
	}
	return nil
}

// dialer returns the GUID of the node that dialed the link.
func (l *link) dialer() overlay.GUID {
	if l.inbound {
		return l.peer
	}
	return l.n.self
}

// enqueue adds p to the send queue unless it is full or the link is done.
// The Net's mutex is held, so the link is still in use.
func (l *link) enqueue(p pending, limit int) bool {
	l.mu.Lock()
	if l.dead || len(l.queue) >= limit {
		l.mu.Unlock()
		return false
	}
	l.queue = append(l.queue, p)
	l.mu.Unlock()
	l.signal()
	return true
}

func (l *link) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// retire stops new messages (the Net has already taken the link out of
// use): the writer sends what is queued, then a TLS close_notify, and the
// link closes once the peer's close_notify arrives or drainTimeout passes.
func (l *link) retire() {
	l.mu.Lock()
	was := l.retiring
	l.retiring = true
	l.mu.Unlock()
	if !was {
		l.signal()
	}
}

func (l *link) isRetiring() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.retiring
}

// close takes the link out of the Net and closes its connection at once;
// the writer then reports what was still queued.
func (l *link) close() {
	l.closeOnce.Do(func() {
		l.n.mu.Lock()
		l.n.unregister(l)
		l.n.mu.Unlock()
		l.cancel()
	})
}

// lastActive returns when a frame last crossed the link, either way.
func (l *link) lastActive() time.Time {
	t := max(l.lastIn.Load(), l.lastOut.Load())
	if t == 0 {
		return l.since
	}
	return time.Unix(0, t)
}

func (l *link) peerInfo() overlay.Peer { return overlay.Peer{GUID: l.peer, Addr: l.addr} }
