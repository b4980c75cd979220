package chat

import (
	"context"
	"encoding/hex"
	"net"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"tincan/core/store"
)

func TestStrangerRefused(t *testing.T) {
	checkGoroutines(t)
	a, c := newNode(t, "alice"), newNode(t, "carol")
	aAtC := c.know(a) // carol knows alice; alice does not know carol
	a.start()
	c.start()
	c.enqueue(aAtC, "let me in")

	fp := c.id.Fingerprint()
	waitFor(t, "alice to refuse carol", func() bool {
		return a.logs.count("refused inbound session from a stranger") >= 2 // carol retries
	})
	if !a.logs.contains("fingerprint=" + hex.EncodeToString(fp[:])) {
		t.Errorf("alice's warning does not name carol's fingerprint:\n%s", a.logs)
	}
	if !a.logs.contains("remote=127.0.0.1:") {
		t.Errorf("alice's warning does not name the remote address:\n%s", a.logs)
	}
	if evs := a.rec.all(); len(evs) != 0 {
		t.Errorf("alice emitted %v for a stranger", evs)
	}
	for _, ev := range c.rec.all() {
		if pc, ok := ev.(PresenceChanged); ok && pc.Online {
			t.Errorf("carol saw alice online: %+v", pc)
		}
	}
	if ob := c.outbox(aAtC); len(ob) != 1 || ob[0].State != store.Queued {
		t.Errorf("carol's message should stay queued, outbox: %+v", ob)
	}
	a.shutdown()
	c.shutdown()
}

func TestKeyMismatchRefused(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	a.know(b) // alice would accept bob
	// Bob's entry for alice has her address but carol's key.
	fake, err := b.st.AddContact(context.Background(), contactOf(t, "alice", testID(t, "carol"), a.addr))
	if err != nil {
		t.Fatal(err)
	}
	a.start()
	b.start()
	b.enqueue(fake, "for alice's eyes only")

	waitFor(t, "bob to refuse the key", func() bool { return b.logs.count("key mismatch") >= 2 })
	afp := a.id.Fingerprint()
	if !b.logs.contains(hex.EncodeToString(afp[:])) {
		t.Errorf("bob's warning does not name the key he was shown:\n%s", b.logs)
	}
	if b.m.Presence(fake.ID).Online {
		t.Error("bob sees the impostor online")
	}
	for _, ev := range a.rec.all() {
		if _, ok := ev.(MessageReceived); ok {
			t.Errorf("alice received %+v over a refused session", ev)
		}
	}
	if ob := b.outbox(fake); len(ob) != 1 || ob[0].State != store.Queued {
		t.Errorf("bob's message should stay queued, outbox: %+v", ob)
	}
	a.shutdown()
	b.shutdown()
}

// gateDialer holds every dial until two are waiting, so both nodes' dials
// are in flight at once, and records the connections.
type gateDialer struct {
	g     *gate
	owner string
}

type gate struct {
	mu      sync.Mutex
	waiting int
	open    chan struct{}
	conns   []*trackedConn
}

type trackedConn struct {
	net.Conn
	owner  string
	closed atomic.Bool
}

func (c *trackedConn) Close() error {
	c.closed.Store(true)
	return c.Conn.Close()
}

func (d gateDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	g := d.g
	g.mu.Lock()
	g.waiting++
	if g.waiting == 2 {
		close(g.open)
	}
	g.mu.Unlock()
	select {
	case <-g.open:
	case <-time.After(5 * time.Second):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tc := &trackedConn{Conn: c, owner: d.owner}
	g.mu.Lock()
	g.conns = append(g.conns, tc)
	g.mu.Unlock()
	return tc, nil
}

func TestSimultaneousDialKeepsOneSession(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA, aAtB := a.know(b), b.know(a)
	g := &gate{open: make(chan struct{})}
	a.tweak = func(c *Config) { c.Dialer = gateDialer{g, "alice"} }
	b.tweak = func(c *Config) { c.Dialer = gateDialer{g, "bob"} }
	// Both have something to send, so both dial as soon as they start.
	a.enqueue(bAtA, "from alice")
	b.enqueue(aAtB, "from bob")
	a.start()
	b.start()

	waitFor(t, "both messages delivered", func() bool {
		return a.rec.count(store.Delivered) == 1 && b.rec.count(store.Delivered) == 1
	})
	// Both dials passed the gate together, so each node meets a second
	// session; the messages may be delivered over the first before the
	// second's handshake ends, so wait for it.
	waitFor(t, "a node to meet the second session (the dials were simultaneous)", func() bool {
		return a.logs.count("duplicate session")+b.logs.count("duplicate session")+
			a.logs.count("replacing the live session")+b.logs.count("replacing the live session") > 0
	})
	afp, bfp := a.id.Fingerprint(), b.id.Fingerprint()
	winner := "alice"
	if string(bfp[:]) < string(afp[:]) {
		winner = "bob"
	}
	var kept *trackedConn
	waitFor(t, "exactly one connection to survive", func() bool {
		g.mu.Lock()
		defer g.mu.Unlock()
		open := 0
		for _, c := range g.conns {
			if !c.closed.Load() {
				open++
				kept = c
			}
		}
		return open == 1
	})
	if kept.owner != winner {
		t.Errorf("the surviving session was dialed by %s; the smaller fingerprint is %s's", kept.owner, winner)
	}
	// The survivor, seen from both ends: its dialer's remote is the other's
	// listener. Presence follows the session's change a moment later.
	var pa, pb PresenceChanged
	waitFor(t, "presence to show the surviving session on both sides", func() bool {
		pa, pb = a.m.Presence(bAtA.ID), b.m.Presence(aAtB.ID)
		return pa.Online && pb.Online && (winner == "alice" && pa.Addr == b.addr || winner == "bob" && pb.Addr == a.addr)
	})
	checkReceived(t, b, aAtB, []string{"from alice"})
	checkReceived(t, a, bAtA, []string{"from bob"})
	a.shutdown()
	b.shutdown()
}

func TestForgetClosesAndRefuses(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA, aAtB := a.know(b), b.know(a)
	a.start()
	b.start()
	a.enqueue(bAtA, "hi")
	waitFor(t, "the first message", func() bool { return a.rec.count(store.Delivered) == 1 })

	a.m.Forget(bAtA.ID)
	waitFor(t, "both sides to go offline", func() bool {
		return !a.m.Presence(bAtA.ID).Online && !b.m.Presence(aAtB.ID).Online
	})
	b.enqueue(aAtB, "are you there?")
	waitFor(t, "alice to drop bob's sessions", func() bool { return a.logs.count("contact forgotten") >= 2 })
	if len(a.rec.received()) != 0 {
		t.Fatal("alice received a message from a forgotten contact")
	}
	a.m.Kick(bAtA.ID) // bob is a contact again
	waitFor(t, "bob's message after the kick", func() bool { return len(a.rec.received()) == 1 })
	checkReceived(t, a, bAtA, []string{"are you there?"})
	a.shutdown()
	b.shutdown()
}
