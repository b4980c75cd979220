package node

import (
	"context"
	"net/netip"
	"testing"
)

func TestJudgeTCPMapping(t *testing.T) {
	ap := netip.MustParseAddrPort
	own := func(a netip.Addr) bool { return a == netip.MustParseAddr("10.0.0.5") }
	for _, tc := range []struct {
		name      string
		says      []netip.AddrPort
		external  netip.AddrPort
		mapping   string
		agreed    bool
		observers int
	}{
		{"nobody answered", []netip.AddrPort{{}, {}}, netip.AddrPort{}, tcpMappingUnknown, false, 0},
		{"one peer is a hint", []netip.AddrPort{ap("198.18.5.10:27448")}, ap("198.18.5.10:27448"), tcpMappingUnknown, false, 1},
		{"two agree", []netip.AddrPort{ap("198.18.5.10:27448"), {}, ap("198.18.5.10:27448")}, ap("198.18.5.10:27448"), tcpMappingIndependent, true, 2},
		{"two disagree", []netip.AddrPort{ap("198.18.5.10:40001"), ap("198.18.5.10:40002")}, netip.AddrPort{}, tcpMappingDependent, false, 2},
		{"two of three agree", []netip.AddrPort{ap("198.18.5.10:1"), ap("198.18.5.10:7448"), ap("198.18.5.10:7448")}, ap("198.18.5.10:7448"), tcpMappingIndependent, true, 3},
		{"a LAN peer tells nothing", []netip.AddrPort{ap("10.0.0.5:7448"), ap("198.18.5.10:7448")}, ap("198.18.5.10:7448"), tcpMappingUnknown, false, 1},
	} {
		m := judgeTCPMapping(tc.says, own)
		if m.External != tc.external || m.Mapping != tc.mapping || m.Agreed != tc.agreed || m.Observers != tc.observers {
			t.Errorf("%s: got external %v mapping %s agreed %v observers %d; want %v %s %v %d",
				tc.name, m.External, m.Mapping, m.Agreed, m.Observers, tc.external, tc.mapping, tc.agreed, tc.observers)
		}
	}
}

// A node learns where its listen port is seen from by dialing its peers
// from that very port: two peers at different IPs agreeing make it
// confirmed, and status says so.
func TestTCPCheckLearnsTheListenPortFromTwoPeers(t *testing.T) {
	stubInterfaces(t) // no address of our own: every say counts
	b := openWith(t, "B", "127.0.0.2:0", OverlayOptions{NoLAN: true})
	c := openWith(t, "C", "127.0.0.3:0", OverlayOptions{NoLAN: true, Bootstrap: []string{b.ListenAddr()}})
	a := openWith(t, "A", "127.0.0.1:0", OverlayOptions{NoLAN: true, Bootstrap: []string{b.ListenAddr(), c.ListenAddr()}})
	want := a.ListenAddr()
	waitUntil(t, "A's TCP port check agrees with two peers", func() bool {
		m := a.ov.tcpMap.get()
		return m.Agreed && m.External.String() == want && m.Mapping == tcpMappingIndependent
	})
	st, err := a.Status(context.Background())
	if err != nil || st.NAT == nil || st.NAT.TCP == nil || st.NAT.TCP.External != want || !st.NAT.TCP.Confirmed || st.NAT.TCP.Observers < 2 {
		t.Fatalf("status .nat.tcp = %+v (%v), want %s confirmed by two", st.NAT, err, want)
	}
	for _, n := range []*Node{b, c} {
		for _, l := range n.ov.net.Links() {
			if l.Retiring {
				t.Fatalf("a probe displaced a link of %s: %+v", n.Name(), l)
			}
		}
	}
}
