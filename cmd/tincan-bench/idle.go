package main

import (
	"context"
	"crypto/sha256"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"tincan/core/chat"
	"tincan/core/identity"
	"tincan/core/store"
)

// tcpIPOverhead is what one TCP segment adds on the wire (IPv4 20 bytes,
// TCP 20 plus 12 of timestamps), counted twice per write: the segment and
// the ACK that answers it.
const tcpIPOverhead = 2 * 52

// idleResult is the idle traffic of a hub with many online contacts.
type idleResult struct {
	contacts      int
	window        time.Duration
	in, out       int64 // bytes read and written on the hub's sessions (TLS records)
	reads, writes int64 // calls, to estimate TCP/IP headers
}

func (r idleResult) perContact() float64 {
	return float64(r.in+r.out) / r.window.Seconds() / float64(r.contacts)
}

// wire estimates bytes/s per contact including TCP/IP headers.
func (r idleResult) wire() float64 {
	return (float64(r.in+r.out) + float64(r.writes+r.reads)*tcpIPOverhead/2) / r.window.Seconds() / float64(r.contacts)
}

// byteCount counts the bytes of every connection it wraps.
type byteCount struct{ in, out, reads, writes atomic.Int64 }

func (b *byteCount) snapshot() idleResult {
	return idleResult{in: b.in.Load(), out: b.out.Load(), reads: b.reads.Load(), writes: b.writes.Load()}
}

type countedConn struct {
	net.Conn
	n *byteCount
}

func (c countedConn) Read(p []byte) (int, error) {
	k, err := c.Conn.Read(p)
	if k > 0 {
		c.n.in.Add(int64(k))
		c.n.reads.Add(1)
	}
	return k, err
}

func (c countedConn) Write(p []byte) (int, error) {
	k, err := c.Conn.Write(p)
	if k > 0 {
		c.n.out.Add(int64(k))
		c.n.writes.Add(1)
	}
	return k, err
}

type countedListener struct {
	net.Listener
	n *byteCount
}

func (l countedListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err != nil {
		return nil, err
	}
	return countedConn{c, l.n}, nil
}

type countedDialer struct {
	d net.Dialer
	n *byteCount
}

func (d *countedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	c, err := d.d.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	return countedConn{c, d.n}, nil
}

// idleMember is one in-process chat manager of the idle measurement.
type idleMember struct {
	id  *identity.Identity
	st  *store.Store
	ln  net.Listener
	m   *chat.Manager
	hub int64 // the hub's contact ID (spokes), or 0
}

// idleTraffic runs a hub chat manager with n contacts, each a chat manager
// of its own on loopback, waits until every session is up and settled, and
// counts the bytes on the hub's connections over window. keepAlive 0 is
// chat's default.
func idleTraffic(dir string, n int, window, keepAlive time.Duration) (idleResult, error) {
	members := make([]*idleMember, n+1)
	ids := make(chan int)
	errs := make(chan error, n+1)
	var wg sync.WaitGroup
	for range 2 { // RSA-3072 keys are slow: two at a time
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ids {
				id, err := identity.Generate(fmt.Sprintf("idle%02d", i))
				if err != nil {
					errs <- err
					continue
				}
				members[i] = &idleMember{id: id}
			}
		}()
	}
	for i := range members {
		ids <- i
	}
	close(ids)
	wg.Wait()
	select {
	case err := <-errs:
		return idleResult{}, fmt.Errorf("generate identities: %w", err)
	default:
	}
	defer func() {
		for _, mb := range members {
			if mb.st != nil {
				mb.st.Close()
			}
			if mb.ln != nil {
				mb.ln.Close()
			}
		}
	}()
	for i, mb := range members {
		st, err := store.Open(filepath.Join(dir, fmt.Sprintf("idle%02d.db", i)))
		if err != nil {
			return idleResult{}, err
		}
		mb.st = st
		if mb.ln, err = net.Listen("tcp", "127.0.0.1:0"); err != nil {
			return idleResult{}, err
		}
	}
	ctx := context.Background()
	hub := members[0]
	hubIDs := make([]int64, n)
	for i, mb := range members[1:] {
		c, err := addMember(ctx, hub.st, mb, fmt.Sprintf("spoke %02d", i))
		if err != nil {
			return idleResult{}, err
		}
		hubIDs[i] = c.ID
		if c, err = addMember(ctx, mb.st, hub, "hub"); err != nil {
			return idleResult{}, err
		}
		mb.hub = c.ID
	}
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	count := &byteCount{}
	runCtx, cancel := context.WithCancel(ctx)
	var runs sync.WaitGroup
	defer func() { cancel(); runs.Wait() }()
	for i, mb := range members {
		cfg := chat.Config{Identity: mb.id, Store: mb.st, Listener: mb.ln, Logger: quiet, KeepAlive: keepAlive}
		if i == 0 {
			cfg.Listener = countedListener{mb.ln, count}
			cfg.Dialer = &countedDialer{n: count}
		}
		m, err := chat.New(cfg)
		if err != nil {
			return idleResult{}, err
		}
		mb.m, mb.ln = m, nil // Run closes the listener
		runs.Add(1)
		go func() {
			defer runs.Done()
			m.Run(runCtx)
		}()
	}
	deadline := time.Now().Add(2 * time.Minute)
	for !allOnline(members, hubIDs) {
		if time.Now().After(deadline) {
			return idleResult{}, errors.New("the hub's contacts were not all online within 2 minutes")
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(3 * time.Second) // duplicate sessions closed, first pings past
	before := count.snapshot()
	time.Sleep(window)
	after := count.snapshot()
	if !allOnline(members, hubIDs) {
		return idleResult{}, errors.New("a session dropped during the idle window")
	}
	return idleResult{
		contacts: n, window: window,
		in: after.in - before.in, out: after.out - before.out,
		reads: after.reads - before.reads, writes: after.writes - before.writes,
	}, nil
}

// allOnline reports whether the hub and every spoke show each other online.
func allOnline(members []*idleMember, hubIDs []int64) bool {
	for i, mb := range members[1:] {
		if !members[0].m.Presence(hubIDs[i]).Online || !mb.m.Presence(mb.hub).Online {
			return false
		}
	}
	return true
}

// addMember adds mb to st's contacts as name, reachable at its listener.
func addMember(ctx context.Context, st *store.Store, mb *idleMember, name string) (store.Contact, error) {
	der, err := x509.MarshalPKIXPublicKey(mb.id.Public())
	if err != nil {
		return store.Contact{}, fmt.Errorf("add %s: %w", name, err)
	}
	fp := sha256.Sum256(der)
	c := store.Contact{Name: name, Card: "card of " + name, PublicKey: der, Fingerprint: fp[:], SecretID: mb.id.SecretID[:], Addr: mb.ln.Addr().String()}
	return st.AddContact(ctx, c)
}
