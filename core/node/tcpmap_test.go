package node

import (
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
