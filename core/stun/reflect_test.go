package stun

import (
	"errors"
	"net/netip"
	"testing"
	"time"
)

// TestProbeRefusesThirdParty: a partner probe goes only to the asker's own
// IP address (any port of it), never to an address the asker names at
// another IP.
func TestProbeRefusesThirdParty(t *testing.T) {
	t.Parallel()
	srv := NewServer(listen(t, "127.0.0.1"), ServerOptions{})
	asker := listen(t, "127.0.0.2")  // the requesting peer's own address
	victim := listen(t, "127.0.0.5") // someone else
	me := Asker{ID: "asker", IP: addrOf(asker).Addr()}

	for _, to := range []netip.AddrPort{addrOf(victim), netip.AddrPortFrom(netip.AddrFrom16(addrOf(victim).Addr().As16()), addrOf(victim).Port())} {
		if err := srv.Probe(to, me, newID()); !errors.Is(err, ErrNotOwner) {
			t.Errorf("a probe for a peer at %s to %s was not refused as not its own: %v", me.IP, to, err)
		}
	}
	if pkts, from := readAll(victim, 200*time.Millisecond); len(pkts) != 0 {
		t.Errorf("the third party received %d packets (from %v) on a peer's request", len(pkts), from)
	}
	// The asker's own IP, in IPv4-mapped form too: exactly one answer each.
	id := newID()
	if err := srv.Probe(netip.AddrPortFrom(netip.AddrFrom16(addrOf(asker).Addr().As16()), addrOf(asker).Port()), me, id); err != nil {
		t.Fatalf("a probe to the asker's own address was refused: %v", err)
	}
	pkts, _ := readAll(asker, 200*time.Millisecond)
	if len(pkts) != 1 {
		t.Fatalf("the asker received %d packets for one probe, want 1", len(pkts))
	}
	r, err := parseResponse(pkts[0])
	if err != nil || !r.OK || r.ID != id || r.Mapped != addrOf(asker) {
		t.Errorf("the probe is %+v (%v), want a success with the asked ID telling %s", r, err, addrOf(asker))
	}
	if len(pkts[0]) > 44 {
		t.Errorf("a probe is %d bytes, want at most 44", len(pkts[0]))
	}
	// Unicast only, even at the asker's own (claimed) address.
	for _, bad := range []string{"0.0.0.0:9", "255.255.255.255:9", "224.0.0.1:9", "127.0.0.2:0"} {
		to := netip.MustParseAddrPort(bad)
		if err := srv.Probe(to, Asker{ID: "b", IP: to.Addr()}, newID()); err == nil {
			t.Errorf("a probe to %s was sent", to)
		}
	}
}

// TestProbeRateLimits: per asker and per destination IP, ProbeBurst probes
// at once and no more; another asker at the same IP shares the
// destination's budget; one at another IP has its own.
func TestProbeRateLimits(t *testing.T) {
	t.Parallel()
	srv := NewServer(listen(t, "127.0.0.1"), ServerOptions{})
	two := listen(t, "127.0.0.2")
	four := listen(t, "127.0.0.4")
	x := Asker{ID: "x", IP: addrOf(two).Addr()}
	sent := 0
	for range 3 * ProbeBurst {
		if err := srv.Probe(addrOf(two), x, newID()); err == nil {
			sent++
		} else if !errors.Is(err, ErrRateLimited) {
			t.Fatalf("a probe to the asker's own address failed: %v", err)
		}
	}
	if sent != ProbeBurst {
		t.Errorf("%d of %d probes at once were sent, want %d", sent, 3*ProbeBurst, ProbeBurst)
	}
	if pkts, _ := readAll(two, 200*time.Millisecond); len(pkts) != ProbeBurst {
		t.Errorf("%d probes arrived, want %d", len(pkts), ProbeBurst)
	}
	if err := srv.Probe(addrOf(two), Asker{ID: "y", IP: x.IP}, newID()); !errors.Is(err, ErrRateLimited) {
		t.Errorf("another asker at a destination past its budget: %v, want ErrRateLimited", err)
	}
	if err := srv.Probe(addrOf(four), Asker{ID: "z", IP: addrOf(four).Addr()}, newID()); err != nil {
		t.Errorf("an asker at another IP was refused: %v", err)
	}
	// The buckets refill at ProbeRate a second.
	l := newProbeLimits()
	now := time.Unix(1000, 0)
	ip := netip.MustParseAddr("192.0.2.1")
	for i := range ProbeBurst {
		if !l.byAsker.allow("a", now) || !l.byDest.allow(ip, now) {
			t.Fatalf("probe %d of a burst refused", i+1)
		}
	}
	if l.byAsker.allow("a", now) || l.byDest.allow(ip, now) {
		t.Error("a probe past the burst allowed")
	}
	now = now.Add(time.Second / ProbeRate)
	if !l.byAsker.allow("a", now) || !l.byDest.allow(ip, now) {
		t.Error("no probe allowed after a refill period")
	}
}

// TestReflectNoAnswerLargerThanRequest: the source of a UDP request may be
// forged, so no answer is larger than its request; a bare 20-byte Binding
// request (smaller than any answer) gets none.
func TestReflectNoAnswerLargerThanRequest(t *testing.T) {
	t.Parallel()
	srv := startServer(t, "127.0.0.1", true, ServerOptions{})
	c := listen(t, "127.0.0.1")
	bare := buildRequest(newID(), false, false)[:headerSize]
	bare[2], bare[3] = 0, 0 // no attributes: 20 bytes
	if _, err := c.WriteToUDPAddrPort(bare, srv.addr()); err != nil {
		t.Fatal(err)
	}
	if pkts, _ := readAll(c, 200*time.Millisecond); len(pkts) != 0 {
		t.Errorf("a 20-byte request got %d answers (the first %d bytes)", len(pkts), len(pkts[0]))
	}
	for _, flags := range [][2]bool{{false, false}, {false, true}, {true, false}, {true, true}} {
		req := buildRequest(newID(), flags[0], flags[1])
		if _, err := c.WriteToUDPAddrPort(req, srv.addr()); err != nil {
			t.Fatal(err)
		}
		pkts, _ := readAll(c, 200*time.Millisecond)
		if len(pkts) != 1 {
			t.Errorf("request %v (%d bytes) got %d answers, want 1", flags, len(req), len(pkts))
			continue
		}
		if len(pkts[0]) > len(req) {
			t.Errorf("request %v: answer of %d bytes to %d", flags, len(pkts[0]), len(req))
		}
	}
}
