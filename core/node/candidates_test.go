package node

import (
	"net/netip"
	"reflect"
	"testing"
)

func TestPreferPublicCandidates(t *testing.T) {
	in := []netip.AddrPort{
		netip.MustParseAddrPort("10.0.3.2:7448"),
		netip.MustParseAddrPort("127.0.0.1:7448"),
		netip.MustParseAddrPort("198.51.100.12:7448"),
		netip.MustParseAddrPort("192.168.1.4:7448"),
		netip.MustParseAddrPort("[2001:db8::1]:7448"),
	}
	want := []netip.AddrPort{in[2], in[4], in[0], in[3], in[1]}
	if got := preferPublic(in); !reflect.DeepEqual(got, want) {
		t.Fatalf("preferPublic = %v, want %v", got, want)
	}
	if in[0] != netip.MustParseAddrPort("10.0.3.2:7448") {
		t.Fatal("preferPublic reordered its input in place")
	}
}
