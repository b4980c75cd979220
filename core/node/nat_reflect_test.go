package node

import (
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"tincan/core/identity"
	"tincan/core/overlay"
	"tincan/core/stun"
)

// udpOn opens a UDP socket on ip (port 0), closed at the end of the test.
func udpOn(t *testing.T, ip netip.Addr) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp4", net.UDPAddrFromAddrPort(netip.AddrPortFrom(ip, 0)))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// datagramsOn counts the datagrams arriving on c within d, returning
// early once max have arrived.
func datagramsOn(c *net.UDPConn, d time.Duration, max int) (n int) {
	buf := make([]byte, 2048)
	_ = c.SetReadDeadline(time.Now().Add(d))
	defer c.SetReadDeadline(time.Time{})
	for n < max {
		if _, _, err := c.ReadFromUDPAddrPort(buf); err != nil {
			return n
		}
		n++
	}
	return n
}

// TestProbeRequestReflectsOnlyToTheRequester: over a real overlay link, a
// PROBE_REQUEST naming a third party's address sends nothing there; one
// naming the requester's own IP (the address its link comes from, any
// port) gets exactly one answer; a burst gets at most stun.ProbeBurst.
func TestProbeRequestReflectsOnlyToTheRequester(t *testing.T) {
	partner := overlayNode(t, "Partner")
	asker := overlayNodeOn(t, "Asker", "127.0.0.2:0", partner.ListenAddr())
	waitUntil(t, "the asker joined through the partner", func() bool { return joined(asker) })
	if partner.nat == nil {
		t.Fatal("the partner has no UDP port: it cannot send probes")
	}
	// The requester's address as the partner's link sees it.
	var link *overlay.Peer
	var askerIP netip.Addr
	waitUntil(t, "the partner holds a link from the asker", func() bool {
		for _, l := range partner.ov.net.Links() {
			if !l.Retiring && l.Inbound {
				askerIP = l.Remote.Addr().Unmap()
			}
		}
		for _, l := range asker.ov.net.Links() {
			if !l.Retiring && !l.Inbound {
				link = &overlay.Peer{GUID: l.GUID, Addr: l.Remote}
			}
		}
		return link != nil && askerIP.IsValid()
	})
	third := netip.MustParseAddr("127.0.0.5")
	if askerIP == third {
		t.Fatalf("the asker's link comes from %s, the third party's address", askerIP)
	}
	victim := udpOn(t, third)
	own := udpOn(t, askerIP)

	send := func(to netip.AddrPort, tag byte) {
		asker.ov.net.Send(*link, &overlay.ProbeRequest{To: to, Transaction: [12]byte{tag}})
	}
	// The victim's request goes first on the same link: once the own
	// answer arrives, the partner has handled the victim's request too.
	send(stunAddr(victim), 1)
	send(stunAddr(own), 2)
	start := time.Now()
	if n := datagramsOn(own, 5*time.Second, 1); n != 1 {
		t.Fatalf("the requester received %d answers to one probe request for its own address, want 1", n)
	}
	if n := datagramsOn(victim, 100*time.Millisecond, 1); n != 0 {
		t.Errorf("the third party received %d packets on a peer's probe request", n)
	}
	// A burst: the partner sends at most stun.ProbeBurst in all (one was
	// spent above), plus ProbeRate a second since.
	for i := range 3 * stun.ProbeBurst {
		send(stunAddr(victim), byte(10+i))
		send(stunAddr(own), byte(10+i))
	}
	got := datagramsOn(own, time.Second, 3*stun.ProbeBurst)
	limit := stun.ProbeBurst + int(time.Since(start).Seconds()*stun.ProbeRate)
	if got < 1 || got > limit {
		t.Errorf("a burst of %d probe requests got %d answers, want 1 to %d", 3*stun.ProbeBurst, got, limit)
	}
	if n := datagramsOn(victim, 100*time.Millisecond, 1); n != 0 {
		t.Errorf("the third party received %d packets during a burst", n)
	}
	// The asker's own partners: the partner's address is offered.
	if ps := asker.nat.Partners(); !slices.Contains(ps, link.Addr.Addr().Unmap()) {
		t.Errorf("the asker's partners %v leave out its linked peer at %s", ps, link.Addr.Addr())
	}
}

// overlayNodeOn is overlayNode listening on listen.
func overlayNodeOn(t *testing.T, name, listen string, bootstrap ...string) *Node {
	t.Helper()
	home := filepath.Join(t.TempDir(), name)
	ks := identity.NewFileKeystore(filepath.Join(home, "keystore"))
	if err := Create(home, ks, name); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	n, err := Open(Options{Home: home, Keystore: ks, Listen: listen,
		Logger:  slog.New(slog.DiscardHandler),
		Overlay: OverlayOptions{Bootstrap: bootstrap}})
	if err != nil {
		t.Fatalf("open %s: %v", name, err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

func stunAddr(c *net.UDPConn) netip.AddrPort { return c.LocalAddr().(*net.UDPAddr).AddrPort() }
