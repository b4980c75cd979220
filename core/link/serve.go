package link

import (
	"context"
	"net"
	"net/netip"
	"time"
)

// Serve takes over an accepted connection whose Prefix byte the caller has
// already read, and returns at once: the handshake runs in a goroutine,
// aborted if ctx or the Net's Run ends first. At MaxLinks the link is
// refused unless an idle link can be closed to make room.
func (n *Net) Serve(ctx context.Context, conn net.Conn) {
	n.mu.Lock()
	if n.state == stopped {
		n.mu.Unlock()
		_ = conn.Close()
		return
	}
	if len(n.byGUID)+n.handshakes >= n.maxLinks && !n.evictLocked() {
		n.mu.Unlock()
		n.log.Info("inbound link refused: too many links", "remote", conn.RemoteAddr(), "max", n.maxLinks)
		_ = conn.Close()
		return
	}
	n.handshakes++
	n.wg.Add(1)
	n.mu.Unlock()
	go n.serve(ctx, conn)
}

// serve runs an inbound link's handshake, then the link.
func (n *Net) serve(ctx context.Context, conn net.Conn) {
	l := n.newLink(conn, true, netip.AddrPort{})
	aborted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		l.cancel()
		close(aborted)
	})
	err := l.handshake()
	if !stop() {
		<-aborted
	}

	n.mu.Lock()
	n.handshakes--
	if err == nil && n.state == stopped {
		err = context.Canceled
	}
	if err == nil && l.flags&flagProbe != 0 { // answered; a probe's link is never used
		n.mu.Unlock()
		l.release()
		n.wg.Done()
		return
	}
	if err != nil {
		n.mu.Unlock()
		l.release()
		if n.ctx.Err() == nil && ctx.Err() == nil {
			n.log.Debug("inbound handshake failed", "remote", l.remote, "err", err)
		}
		n.wg.Done()
		return
	}
	n.register(l)
	n.mu.Unlock()
	l.run()
}

// evictLocked retires the link idle the longest, if it has been idle for
// evictIdle, and reports whether it did. Called with n.mu held.
func (n *Net) evictLocked() bool {
	var idlest *link
	var at time.Time
	for _, l := range n.byGUID {
		if t := l.lastActive(); idlest == nil || t.Before(at) {
			idlest, at = l, t
		}
	}
	if idlest == nil || time.Since(at) < n.tm.evictIdle {
		return false
	}
	n.log.Info("idle link closed to make room", "peer", idlest.peer.Short(), "idle", time.Since(at).Round(time.Second))
	n.retireLocked(idlest)
	return true
}
