//go:build linux

package natlab

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

// SimOpen is the result of a TCP simultaneous open between two sites.
type SimOpen struct {
	A, B       string         // site names
	MappedA    netip.AddrPort // A's listener port as the WAN sees it
	MappedB    netip.AddrPort
	HowA, HowB string        // "dial" or "accept": which socket gave each side its connection
	Took       time.Duration // from the first SYN to both sides connected and talking
}

// simSide is one side's listener, sharing its port with every dial.
type simSide struct {
	site   *Site
	ln     *net.TCPListener
	port   int
	mapped netip.AddrPort
}

// SimultaneousOpen connects a and b by TCP simultaneous open: each side
// listens on one port (SO_REUSEADDR+SO_REUSEPORT), learns its public mapping
// of that port from a STUN server, then both dial each other's mapping from
// that same port until one connection (dialled or accepted) stands on each
// side and carries a message both ways.
func (l *Lab) SimultaneousOpen(ctx context.Context, a, b *Site, timeout time.Duration) (SimOpen, error) {
	r := SimOpen{A: a.Name, B: b.Name}
	sides := [2]*simSide{{site: a}, {site: b}}
	for _, sd := range sides {
		if err := l.simListen(sd); err != nil {
			return r, err
		}
		defer sd.ln.Close()
	}
	r.MappedA, r.MappedB = sides[0].mapped, sides[1].mapped

	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	start := time.Now()
	type result struct {
		c   net.Conn
		how string
	}
	results := [2]chan result{make(chan result, 2), make(chan result, 2)}
	send := func(i int, res result) {
		select {
		case results[i] <- res:
		default:
			res.c.Close()
		}
	}
	var wg sync.WaitGroup
	for i, sd := range sides {
		peer := sides[1-i].mapped
		wg.Add(2)
		go func() {
			defer wg.Done()
			for {
				c, err := sd.ln.Accept()
				if err != nil {
					return
				}
				send(i, result{c, "accept"})
			}
		}()
		go func() {
			defer wg.Done()
			if c := simDial(ctx, sd, peer); c != nil {
				send(i, result{c, "dial"})
			}
		}()
	}
	var conns [2]net.Conn
	var hows [2]string
	var err error
	for i := range sides {
		select {
		case res := <-results[i]:
			conns[i], hows[i] = res.c, res.how
		case <-ctx.Done():
			err = fmt.Errorf("TCP simultaneous open %s <-> %s: %s has no connection after %v", a.Name, b.Name, sides[i].site.Name, timeout)
		}
		if err != nil {
			break
		}
	}
	if err == nil {
		err = exchange(conns[0], conns[1])
	}
	r.Took, r.HowA, r.HowB = time.Since(start), hows[0], hows[1]
	cancel()
	for _, sd := range sides {
		sd.ln.Close()
	}
	wg.Wait()
	for i := range sides {
		close(results[i])
		for res := range results[i] {
			res.c.Close()
		}
		if conns[i] != nil {
			conns[i].Close()
		}
	}
	return r, err
}

// simListen opens a side's listener and learns its public mapping by a
// STUN-over-TCP dial from the same port.
func (l *Lab) simListen(sd *simSide) error {
	return Do(sd.site.Host, func() error {
		lc := net.ListenConfig{Control: reusePort}
		ln, err := lc.Listen(context.Background(), "tcp4", "0.0.0.0:0")
		if err != nil {
			return fmt.Errorf("listen in %s: %w", sd.site.Name, err)
		}
		sd.ln = ln.(*net.TCPListener)
		sd.port = sd.ln.Addr().(*net.TCPAddr).Port
		d := net.Dialer{Timeout: dialTimeout, Control: reusePort, LocalAddr: &net.TCPAddr{Port: sd.port}}
		c, err := d.Dial("tcp4", l.STUN[0].String())
		if err != nil {
			return fmt.Errorf("STUN dial from %s: %w", sd.site.Name, err)
		}
		defer func() {
			_ = c.(*net.TCPConn).SetLinger(0)
			c.Close()
		}()
		if sd.mapped, err = stunTCP(c); err != nil {
			return fmt.Errorf("STUN from %s: %w", sd.site.Name, err)
		}
		return nil
	})
}

// simDial dials peer from the side's port until it connects or ctx ends;
// a refused or colliding dial (the listener may already hold the 4-tuple)
// is retried shortly after.
func simDial(ctx context.Context, sd *simSide, peer netip.AddrPort) net.Conn {
	var conn net.Conn
	_ = Do(sd.site.Host, func() error {
		d := net.Dialer{Control: reusePort, LocalAddr: &net.TCPAddr{Port: sd.port}}
		for ctx.Err() == nil {
			dctx, cancel := context.WithTimeout(ctx, 1500*time.Millisecond)
			c, err := d.DialContext(dctx, "tcp4", peer.String())
			cancel()
			if err == nil {
				conn = c
				return nil
			}
			select {
			case <-ctx.Done():
			case <-time.After(100 * time.Millisecond):
			}
		}
		return ctx.Err()
	})
	return conn
}

// exchange sends a line each way and checks it arrives.
func exchange(a, b net.Conn) error {
	deadline := time.Now().Add(dialTimeout)
	for _, c := range []net.Conn{a, b} {
		_ = c.SetDeadline(deadline)
	}
	for _, p := range [][2]net.Conn{{a, b}, {b, a}} {
		msg := []byte("hello over simultaneous open\n")
		if _, err := p[0].Write(msg); err != nil {
			return fmt.Errorf("write: %w", err)
		}
		got := make([]byte, len(msg))
		if _, err := io.ReadFull(p[1], got); err != nil {
			return fmt.Errorf("read: %w", err)
		}
		if string(got) != string(msg) {
			return errors.New("simultaneous open: the message came out changed")
		}
	}
	return nil
}
