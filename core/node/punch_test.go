package node

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"tincan/core/chat"
)

// TestPunchHandshakeRoles: a dial answered by a listener, a simultaneous
// open, a relayed stream and garbage each give the roles and path they must.
func TestPunchHandshakeRoles(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	// Both sides run the handshake on one stream (simultaneous open, or a
	// relay): exactly one becomes the TLS client, both name the same path.
	for _, dialed := range []bool{true, false} {
		a, b := tcpPair(t)
		type res struct {
			raw chat.Raw
			err error
		}
		ch := make(chan res, 1)
		go func() { r, err := punchHandshake(ctx, b, dialed); ch <- res{r, err} }()
		ra, err := punchHandshake(ctx, a, dialed)
		rb := <-ch
		if err != nil || rb.err != nil {
			t.Fatalf("dialed=%v: %v / %v", dialed, err, rb.err)
		}
		if ra.Client == rb.raw.Client {
			t.Errorf("dialed=%v: both sides client=%v", dialed, ra.Client)
		}
		want := chat.PathPunched
		if !dialed {
			want = chat.PathRelay
		}
		if ra.Path != want || rb.raw.Path != want {
			t.Errorf("dialed=%v: paths %q, %q; want %q", dialed, ra.Path, rb.raw.Path, want)
		}
		a.Close()
		b.Close()
	}

	// A listener answers: the dialer is the client, the listener's side
	// is handed on as "direct" (or "mapped").
	for _, mapped := range []bool{false, true} {
		a, b := tcpPair(t)
		ch := make(chan net.Conn, 1)
		go func() {
			var prefix [1]byte
			if _, err := b.Read(prefix[:]); err != nil || prefix[0] != prefixPunch {
				ch <- nil
				return
			}
			c, err := answerPunch(b, mapped)
			if err != nil {
				c = nil
			}
			ch <- c
		}()
		raw, err := punchHandshake(ctx, a, true)
		in := <-ch
		if err != nil || in == nil {
			t.Fatalf("mapped=%v: %v", mapped, err)
		}
		want := chat.PathDirect
		if mapped {
			want = chat.PathMapped
		}
		if !raw.Client || raw.Path != want || in.(pathConn).Path() != want {
			t.Errorf("mapped=%v: dialer %+v, listener path %q; want client and %q", mapped, raw, in.(pathConn).Path(), want)
		}
		a.Close()
		b.Close()
	}
}

func TestParsePunchAnswer(t *testing.T) {
	mine := [punchMsgLen]byte{prefixPunch, 5}
	cases := []struct {
		theirs  [punchMsgLen]byte
		dialed  bool
		client  bool
		path    string
		wantErr error
	}{
		{[punchMsgLen]byte{replyAccepted}, true, true, chat.PathDirect, nil},
		{[punchMsgLen]byte{replyMapped}, true, true, chat.PathMapped, nil},
		{[punchMsgLen]byte{replyAccepted}, false, false, "", chat.ErrProtocol},
		{[punchMsgLen]byte{prefixPunch, 4}, true, true, chat.PathPunched, nil},
		{[punchMsgLen]byte{prefixPunch, 6}, true, false, chat.PathPunched, nil},
		{[punchMsgLen]byte{prefixPunch, 6}, false, false, chat.PathRelay, nil},
		{mine, true, false, "", errSameNonce},
		{[punchMsgLen]byte{'C'}, true, false, "", chat.ErrProtocol},
	}
	for _, c := range cases {
		client, path, err := parsePunchAnswer(mine, c.theirs, c.dialed)
		if !errors.Is(err, c.wantErr) || (err == nil && (client != c.client || path != c.path)) {
			t.Errorf("%v dialed=%v: %v %q %v; want %v %q %v", c.theirs, c.dialed, client, path, err, c.client, c.path, c.wantErr)
		}
	}
}

// FuzzParsePunchAnswer: any 9 bytes from the network give an error or a
// known path, and a listener's reply never comes through a relay.
func FuzzParsePunchAnswer(f *testing.F) {
	f.Add([]byte{prefixPunch, 1, 2, 3, 4, 5, 6, 7, 8}, true)
	f.Add([]byte{replyAccepted, 0, 0, 0, 0, 0, 0, 0, 0}, true)
	f.Add([]byte{replyMapped, 0, 0, 0, 0, 0, 0, 0, 0}, false)
	f.Add([]byte{0xff, 0, 0, 0, 0, 0, 0, 0, 0}, true)
	f.Fuzz(func(t *testing.T, b []byte, dialed bool) {
		var theirs [punchMsgLen]byte
		copy(theirs[:], b)
		mine := [punchMsgLen]byte{prefixPunch, 9, 9, 9, 9, 9, 9, 9, 9}
		_, path, err := parsePunchAnswer(mine, theirs, dialed)
		if err != nil {
			return
		}
		switch path {
		case chat.PathDirect, chat.PathMapped, chat.PathPunched:
			if !dialed {
				t.Fatalf("path %q on a relayed stream", path)
			}
		case chat.PathRelay:
			if dialed {
				t.Fatalf("relay path on a dialed stream")
			}
		default:
			t.Fatalf("unknown path %q", path)
		}
	})
}

// tcpPair is two ends of a loopback TCP connection (buffered, unlike net.Pipe).
func tcpPair(t *testing.T) (net.Conn, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	a, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	b, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}
