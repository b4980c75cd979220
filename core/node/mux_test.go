package node

import (
	"context"
	"io"
	"log/slog"
	"net"
	"testing"
	"time"
)

func TestMuxRoutesByPrefix(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m := newMux(ln, slog.New(slog.NewTextHandler(io.Discard, nil)))
	overlay := make(chan net.Conn, 1)
	m.overlay = func(c net.Conn) { overlay <- c }
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { m.run(ctx); close(done) }()

	dial := func(prefix byte) net.Conn {
		c, err := prefixDialer{inner: &net.Dialer{}, prefix: prefix}.DialContext(ctx, "tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	chatSide := dial(prefixChat)
	defer chatSide.Close()
	got, err := m.chat.Accept()
	if err != nil {
		t.Fatal(err)
	}
	chatSide.Write([]byte("hi"))
	buf := make([]byte, 2)
	if _, err := io.ReadFull(got, buf); err != nil || string(buf) != "hi" {
		t.Fatalf("chat conn carried %q, %v (the prefix must be consumed)", buf, err)
	}
	got.Close()

	ovSide := dial(prefixOverlay)
	defer ovSide.Close()
	select {
	case c := <-overlay:
		c.Close()
	case <-time.After(5 * time.Second):
		t.Fatal("overlay connection not routed")
	}

	bad := dial('X')
	bad.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := bad.Read(buf); err == nil {
		t.Fatal("a connection with an unknown prefix was kept open")
	}
	bad.Close()

	cancel()
	<-done
	if _, err := m.chat.Accept(); err == nil {
		t.Fatal("chat listener still accepting after the mux stopped")
	}
}
