package chat

import (
	"crypto/tls"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"time"

	"tincan/core/identity"
	"tincan/core/store"
	"tincan/core/wire"
)

// rawClient dials n as id with a bare TLS client, outside any Manager.
func rawClient(t *testing.T, n *node, id *identity.Identity) *tls.Conn {
	t.Helper()
	cert, err := identity.SelfCert(id)
	if err != nil {
		t.Fatal(err)
	}
	c, err := tls.Dial("tcp", n.addr, &tls.Config{
		MinVersion:         tls.VersionTLS13,
		Certificates:       []tls.Certificate{cert},
		InsecureSkipVerify: true,
	})
	if err != nil {
		t.Fatalf("raw dial: %v", err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(waitTimeout))
	return c
}

func frame(version byte, t wire.Type, payload []byte, length uint32) []byte {
	b := []byte{version, byte(t), 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[2:], length)
	return append(b, payload...)
}

func marshal(t *testing.T, p wire.Payload) []byte {
	t.Helper()
	b, err := p.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return frame(wire.Version, p.Type(), b, uint32(len(b)))
}

// drain reads frames until the connection ends and returns their types and
// the last Bye reason.
func drain(t *testing.T, c *tls.Conn) (types []wire.Type, bye string) {
	t.Helper()
	for {
		typ, b, err := wire.ReadFrame(c)
		if err != nil {
			var ne interface{ Timeout() bool }
			if errors.As(err, &ne) && ne.Timeout() {
				t.Fatalf("the manager did not close the connection: %v", err)
			}
			return types, bye
		}
		types = append(types, typ)
		if typ == wire.TypeBye {
			var by wire.Bye
			if err := by.Unmarshal(b); err != nil {
				t.Fatalf("bad bye: %v", err)
			}
			bye = by.Reason
		}
	}
}

func TestHostileInputClosesSession(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA, aAtB := a.know(b), b.know(a)
	a.start()

	hello := marshal(t, wire.Hello{Version: wire.Version, Name: "bob"})
	badMsg := make([]byte, 24)
	badMsg = append(badMsg, 0, 2, 0xc3, 0x28) // body is not UTF-8
	emptyMsg := append(make([]byte, 24), 0, 0)
	cases := []struct {
		name      string
		send      []byte
		afterHelo bool // the session got past the Hello exchange
	}{
		{"message before hello", marshal(t, wire.Msg{Body: "early"}), false},
		{"bad hello", frame(wire.Version, wire.TypeHello, []byte{1, 0, 9}, 3), false},
		{"wrong hello version", marshal(t, wire.Hello{Version: wire.Version + 1}), false},
		{"oversized frame", append(hello, frame(wire.Version, wire.TypeMsg, nil, wire.MaxFrame+1)...), true},
		{"unknown type", append(hello, frame(wire.Version, 99, nil, 0)...), true},
		{"wrong frame version", append(hello, frame(wire.Version+1, wire.TypeMsg, nil, 0)...), true},
		{"bad utf-8", append(hello, frame(wire.Version, wire.TypeMsg, badMsg, uint32(len(badMsg)))...), true},
		{"empty message", append(hello, frame(wire.Version, wire.TypeMsg, emptyMsg, uint32(len(emptyMsg)))...), true},
		{"short ack", append(hello, frame(wire.Version, wire.TypeAck, []byte{1, 2, 3}, 3)...), true},
		{"second hello", append(hello, hello...), true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := a.logs.count("peer misbehaved") + a.logs.count("protocol violation")
			c := rawClient(t, a, b.id)
			if _, err := c.Write(tc.send); err != nil {
				t.Fatal(err)
			}
			types, bye := drain(t, c)
			if len(types) == 0 || types[0] != wire.TypeHello {
				t.Fatalf("alice sent %v, want her hello first", types)
			}
			if tc.afterHelo {
				if bye != "protocol error" {
					t.Errorf("alice sent %v, bye %q; want a protocol-error bye", types, bye)
				}
			}
			waitFor(t, "alice to log the violation", func() bool {
				return a.logs.count("peer misbehaved")+a.logs.count("protocol violation") > before
			})
			waitFor(t, "alice to see bob offline", func() bool { return !a.m.Presence(bAtA.ID).Online })
		})
	}
	if h := a.history(bAtA); len(h) != 0 {
		t.Fatalf("alice stored %d messages from hostile sessions", len(h))
	}

	// Alice still works for the real bob.
	b.start()
	a.enqueue(bAtA, "still here")
	b.enqueue(aAtB, "me too")
	waitFor(t, "a real exchange after the attacks", func() bool {
		return a.rec.count(store.Delivered) == 1 && b.rec.count(store.Delivered) == 1
	})
	checkReceived(t, a, bAtA, []string{"me too"})
	a.shutdown()
	b.shutdown()
}

func TestPingPongAndKeepAliveTimeout(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA := a.know(b)
	a.tweak = func(c *Config) { c.KeepAlive = 100 * time.Millisecond }
	a.start()

	c := rawClient(t, a, b.id)
	start := time.Now()
	if _, err := c.Write(append(marshal(t, wire.Hello{Version: wire.Version}), marshal(t, wire.Ping{Nonce: 42})...)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "alice to see bob online", func() bool { return a.m.Presence(bAtA.ID).Online })
	// Bob now goes silent: alice must ping, then give up after 3 intervals.
	var pong *wire.Pong
	pings := 0
	for {
		typ, p, err := wire.ReadFrame(c)
		if err != nil {
			if errors.Is(err, io.EOF) || !isTimeout(err) {
				break
			}
			t.Fatalf("alice kept a silent session open: %v", err)
		}
		switch typ {
		case wire.TypePong:
			var pg wire.Pong
			if err := pg.Unmarshal(p); err != nil {
				t.Fatal(err)
			}
			pong = &pg
		case wire.TypePing:
			pings++
		}
	}
	if pong == nil || pong.Nonce != 42 {
		t.Errorf("alice answered ping 42 with %+v", pong)
	}
	// Alice accepted the session: the dialer pings, and she pings only
	// once its pings stop coming (presence: one ping per interval, not two).
	if pings < 1 {
		t.Errorf("alice sent %d pings before giving up, want at least 1", pings)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("alice gave up after %v, before 3 keep-alive intervals", d)
	}
	waitFor(t, "alice to see bob offline", func() bool { return !a.m.Presence(bAtA.ID).Online })
	a.shutdown()
}

func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.As(err, &ne) && ne.Timeout()
}

// TestAckAfterCommitAndDedup: a resent message is acknowledged again but
// stored and reported once, and each ack arrives only after the commit.
func TestAckAfterCommitAndDedup(t *testing.T) {
	checkGoroutines(t)
	a, b := newNode(t, "alice"), newNode(t, "bob")
	bAtA := a.know(b)
	a.start()

	c := rawClient(t, a, b.id)
	msg := wire.Msg{ID: [16]byte{7, 7, 7}, SentAt: time.Now().UnixNano(), Body: "once"}
	out := marshal(t, wire.Hello{Version: wire.Version, Name: "bob"})
	if _, err := c.Write(out); err != nil {
		t.Fatal(err)
	}
	for acks := 0; acks < 2; {
		if _, err := c.Write(marshal(t, msg)); err != nil {
			t.Fatal(err)
		}
		for {
			typ, p, err := wire.ReadFrame(c)
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if typ != wire.TypeAck {
				continue
			}
			var ack wire.Ack
			if err := ack.Unmarshal(p); err != nil || ack.ID != msg.ID {
				t.Fatalf("ack %+v, %v; want id %x", ack, err, msg.ID)
			}
			if h := a.history(bAtA); len(h) != 1 || h[0].Body != "once" {
				t.Fatalf("acknowledged before the commit: history %+v", h)
			}
			acks++
			break
		}
	}
	// Events come in order: once the next message is reported, a report of
	// the duplicate would have been seen.
	if _, err := c.Write(marshal(t, wire.Msg{ID: [16]byte{8}, Body: "next"})); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the next message's event", func() bool { return len(a.rec.received()) >= 2 })
	checkReceived(t, a, bAtA, []string{"once", "next"})
	c.Close()
	a.shutdown()
}
