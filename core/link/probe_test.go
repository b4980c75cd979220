package link

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"
)

// A probe completes the handshake with a real node and names its key;
// a bare TCP listener is not a node.
func TestProbeNamesTheNodeAndRefusesABareListener(t *testing.T) {
	a := startNode(t, nodeOpts{})
	b := startNode(t, nodeOpts{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	g, err := a.net.Probe(ctx, b.addr)
	if err != nil || g != b.net.self {
		t.Fatalf("probing a node gave %v, %v; want its GUID %v", g, err, b.net.self)
	}
	if n := len(a.net.Links()); n != 0 {
		t.Fatalf("a probe left %d links registered", n)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("HTTP/1.1 200 OK\r\n\r\n"))
			_ = c.Close()
		}
	}()
	bare := netip.MustParseAddrPort(ln.Addr().String())
	if g, err := a.net.Probe(ctx, bare); err == nil {
		t.Fatalf("a bare listener passed the probe as node %v", g)
	}
}
