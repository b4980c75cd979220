package relay

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// dyingConn reads its request normally, then looks alive until the relay
// checks on it, at which point it turns out to be gone: the case of a waiter
// leaving just as its partner arrives.
type dyingConn struct {
	net.Conn
	read int
}

func (c *dyingConn) Read(p []byte) (int, error) {
	if c.read < requestSize {
		n, err := c.Conn.Read(p[:min(len(p), requestSize-c.read)])
		c.read += n
		return n, err
	}
	n, err := c.Conn.Read(p)
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return 0, io.ErrUnexpectedEOF
	}
	return n, err
}

func TestPartnerTakesLeftWaitersPlace(t *testing.T) {
	tr := startRelay(t, Config{})
	tok := randToken(t)
	inner, outer := net.Pipe()
	defer outer.Close()
	handled := make(chan struct{})
	go func() {
		defer close(handled)
		tr.srv.Handle(context.Background(), &dyingConn{Conn: inner})
	}()
	if _, err := outer.Write(appendRequest(nil, tok)); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "waiter", func() bool { return tr.srv.Stats().Waiting == 1 })

	// b claims the dying waiter, finds it gone and waits in its place; c
	// then pairs with b.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	type res struct {
		c   net.Conn
		err error
	}
	bc := make(chan res, 1)
	go func() { c, err := Dial(ctx, nil, tr.addr, tok); bc <- res{c, err} }()
	readClosed(t, outer) // the relay dropped the dying waiter
	waitFor(t, "b waiting", func() bool { st := tr.srv.Stats(); return st.Waiting == 1 && st.Active == 0 })
	c, err := Dial(ctx, nil, tr.addr, tok)
	if err != nil {
		t.Fatalf("c: %v", err)
	}
	defer c.Close()
	r := <-bc
	if r.err != nil {
		t.Fatalf("b: %v", r.err)
	}
	defer r.c.Close()
	if _, err := c.Write([]byte("hi b")); err != nil {
		t.Fatal(err)
	}
	got := make([]byte, 4)
	r.c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.ReadFull(r.c, got); err != nil || string(got) != "hi b" {
		t.Fatalf("b read %q, %v", got, err)
	}
	if st := tr.srv.Stats(); st.Active != 1 || st.Sessions != 1 {
		t.Fatalf("stats: %+v", st)
	}
	// The first Handle call carries the token's wait and session to the end.
	c.Close()
	r.c.Close()
	select {
	case <-handled:
	case <-time.After(5 * time.Second):
		t.Fatal("first Handle did not return after the session")
	}
}
