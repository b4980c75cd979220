package discovery

import (
	"net/netip"
	"testing"
)

func TestOnlyGloballyRoutableAddressesArePublishable(t *testing.T) {
	for _, tc := range []struct {
		addr string
		ok   bool
	}{
		{"1.1.1.1", true}, {"8.8.8.8", true}, {"2606:4700::1111", true}, {"::ffff:9.9.9.9", true},
		{"10.1.2.3", false}, {"172.16.0.1", false}, {"192.168.1.1", false}, {"127.0.0.1", false},
		{"169.254.1.1", false}, {"100.64.0.1", false}, {"0.0.0.0", false}, {"0.1.2.3", false},
		{"192.0.2.1", false}, {"198.51.100.7", false}, {"203.0.113.9", false}, {"198.18.1.5", false},
		{"224.0.0.1", false}, {"255.255.255.255", false}, {"240.0.0.1", false},
		{"::1", false}, {"fe80::1", false}, {"fd00::1", false}, {"2001:db8::1", false}, {"ff02::1", false},
	} {
		if got := Publishable(netip.MustParseAddr(tc.addr), nil); got != tc.ok {
			t.Errorf("Publishable(%s) = %v, want %v", tc.addr, got, tc.ok)
		}
	}
}

func TestAnAllowedPrefixIsPublishable(t *testing.T) {
	lab := []netip.Prefix{netip.MustParsePrefix("198.18.0.0/15")}
	if !Publishable(netip.MustParseAddr("198.18.1.5"), lab) {
		t.Error("an address inside the allowed prefix is not publishable")
	}
	if Publishable(netip.MustParseAddr("10.0.0.5"), lab) {
		t.Error("a private address outside the allowed prefix is publishable")
	}
	if a, b := ObserverNetwork(netip.MustParseAddr("198.18.1.5"), lab), ObserverNetwork(netip.MustParseAddr("198.18.2.5"), lab); a == b {
		t.Errorf("inside an allowed prefix, observers in different /24s share the network %v", a)
	}
	if a, b := ObserverNetwork(netip.MustParseAddr("8.8.4.4"), nil), ObserverNetwork(netip.MustParseAddr("8.8.9.9"), nil); a != b {
		t.Errorf("on the internet, observers in one /16 are told apart: %v, %v", a, b)
	}
}
