package link

import (
	"context"
	"net"
	"net/netip"
	"testing"
	"time"

	"tincan/core/overlay"
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

// A probe reports where the peer saw us and leaves that say out of the
// book the links' hellos write to.
func TestProbeViaReportsWhereThePeerSawUs(t *testing.T) {
	a := startNode(t, nodeOpts{})
	b := startNode(t, nodeOpts{})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var d net.Dialer
	p, err := a.net.ProbeVia(ctx, b.addr, &d)
	if err != nil {
		t.Fatal(err)
	}
	if p.GUID != b.net.self || !p.Observed.IsValid() || p.Observed.Addr() != netip.MustParseAddr("127.0.0.1") || p.Observed.Port() == 0 {
		t.Fatalf("probe gave %+v; want b's GUID and a loopback address with a port", p)
	}
	if got := a.net.Observed(); len(got) != 0 {
		t.Fatalf("the probe's say went into the book: %v", got)
	}
}

// A probe never displaces the link in use between the two nodes, on
// either side.
func TestProbeLeavesTheLinkInUse(t *testing.T) {
	a := startNode(t, nodeOpts{})
	b := startNode(t, nodeOpts{})
	a.net.Send(b.peer(), &overlay.Ping{ID: 1})
	waitFor(t, 5*time.Second, "the link", func() bool { return len(b.rec.messages()) == 1 })
	before := b.net.Links()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := a.net.ProbeVia(ctx, b.addr, nil); err != nil {
		t.Fatal(err)
	}
	a.net.Send(b.peer(), &overlay.Ping{ID: 2})
	waitFor(t, 5*time.Second, "the second ping", func() bool { return len(b.rec.messages()) == 2 })
	after := b.net.Links()
	if len(before) != 1 || len(after) != 1 || after[0].Since != before[0].Since || after[0].Retiring {
		t.Fatalf("the probe changed b's links: before %+v, after %+v", before, after)
	}
}
