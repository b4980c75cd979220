package stun

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"
)

func TestMuxRoutes(t *testing.T) {
	t.Parallel()
	c := listen(t, "127.0.0.1")
	peer := listen(t, "127.0.0.1")
	type pkt struct {
		who  string
		data string
		from netip.AddrPort
	}
	got := make(chan pkt, 16)
	m := NewMux(c, MuxOptions{Other: func(b []byte, from netip.AddrPort) { got <- pkt{"other", string(b), from} }})
	defer m.Close()
	isA := func(b []byte) bool { return len(b) > 0 && b[0] == 'a' }
	removeA := m.Route(isA, func(b []byte, from netip.AddrPort) { got <- pkt{"a1", string(b), from} })
	m.Route(isA, func(b []byte, from netip.AddrPort) { got <- pkt{"a2", string(b), from} })
	m.Route(func(b []byte) bool { return len(b) > 0 && b[0] == 'b' }, func(b []byte, from netip.AddrPort) { got <- pkt{"b", string(b), from} })

	send := func(s string) {
		t.Helper()
		if _, err := peer.WriteToUDPAddrPort([]byte(s), m.LocalAddr()); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(who, data string) {
		t.Helper()
		select {
		case p := <-got:
			if p.who != who || p.data != data || p.from != addrOf(peer) {
				t.Errorf("got %+v, want %s %q from %s", p, who, data, addrOf(peer))
			}
		case <-time.After(2 * time.Second):
			t.Fatalf("nothing dispatched, want %s %q", who, data)
		}
	}
	send("apple")
	expect("a1", "apple")
	send("banana")
	expect("b", "banana")
	send("cherry")
	expect("other", "cherry")
	removeA()
	send("avocado")
	expect("a2", "avocado")
	// STUN never reaches routes or Other: a request with no server is
	// dropped, a response with no transaction too.
	send(string(buildRequest(newID(), false, false)))
	send(string(buildSuccess(newID(), addrOf(peer))))
	// A datagram longer than MaxPacket is dropped, not cut.
	send("a" + string(make([]byte, MaxPacket)))
	send("done")
	expect("other", "done")

	// Close ends pending transactions and leaves the socket open.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	errc := make(chan error, 1)
	go func() {
		_, err := m.Binding(ctx, addrOf(peer)) // peer never answers
		errc <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Errorf("pending binding after Close: %v, want ErrClosed", err)
	}
	if _, err := m.Binding(ctx, addrOf(peer)); !errors.Is(err, ErrClosed) {
		t.Errorf("binding after Close: %v, want ErrClosed", err)
	}
	m.Route(isA, func([]byte, netip.AddrPort) { t.Error("route added after Close called") })()
	send("after")
	if pkts, _ := readAll(c, 300*time.Millisecond); len(pkts) != 1 || string(pkts[0]) != "after" {
		t.Errorf("socket after Close read %q, want \"after\"", pkts)
	}
}
