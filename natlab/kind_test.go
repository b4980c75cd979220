package natlab

import (
	"net/netip"
	"testing"
)

func TestExpectDirect(t *testing.T) {
	relay := map[[2]Kind]bool{
		{PortRestricted, SymmetricRandom}:          true,
		{PortRestricted, SymmetricSequential}:      true,
		{PortChanging, SymmetricRandom}:            true,
		{PortChanging, SymmetricSequential}:        true,
		{SymmetricRandom, SymmetricRandom}:         true,
		{SymmetricRandom, SymmetricSequential}:     true,
		{SymmetricSequential, SymmetricSequential}: true,
	}
	for _, a := range All {
		for _, b := range All {
			want := !relay[[2]Kind{a, b}] && !relay[[2]Kind{b, a}]
			if got := ExpectDirect(a, b); got != want {
				t.Errorf("ExpectDirect(%s, %s) = %v, want %v", a, b, got, want)
			}
		}
	}
}

func TestParseKinds(t *testing.T) {
	ks, err := ParseKinds("pr, symmetric-random,pr,up")
	if err != nil {
		t.Fatal(err)
	}
	if len(ks) != 3 || ks[0] != PortRestricted || ks[1] != SymmetricRandom || ks[2] != UPnP {
		t.Errorf("ParseKinds = %v", ks)
	}
	if all, _ := ParseKinds("all"); len(all) != len(All) {
		t.Errorf("all = %v", all)
	}
	if _, err := ParseKinds("pr,carrier-grade"); err == nil {
		t.Error("an unknown kind was accepted")
	}
	seen := map[string]bool{}
	for _, k := range All {
		if k.Short() == "" || seen[k.Short()] {
			t.Errorf("kind %s has short code %q", k, k.Short())
		}
		seen[k.Short()] = true
	}
}

func TestClassifyAndMismatches(t *testing.T) {
	a := netip.MustParseAddrPort("198.51.100.20:40000")
	if got := classify(a, a); got != MapIndependent {
		t.Errorf("same mapping: %s", got)
	}
	if got := classify(a, netip.MustParseAddrPort("198.51.100.20:40001")); got != MapSequential {
		t.Errorf("next port: %s", got)
	}
	if got := classify(a, netip.MustParseAddrPort("198.51.100.20:3999")); got != MapRandom {
		t.Errorf("other port: %s", got)
	}
	b := Expected(AddressRestricted)
	b.Local = netip.MustParseAddrPort("10.0.5.2:5000")
	b.UDP[0] = netip.MustParseAddrPort("198.51.100.14:5000")
	if m := b.Mismatches(); len(m) != 0 {
		t.Errorf("the expected behaviour mismatches itself: %v", m)
	}
	b.Filtering = FilterAddressPort
	if m := b.Mismatches(); len(m) != 1 {
		t.Errorf("wrong filtering gave %v", m)
	}
	b = Expected(AddressRestricted)
	b.Local = netip.MustParseAddrPort("10.0.5.2:5000")
	b.UDP[0] = b.Local // not translated behind a NAT
	if m := b.Mismatches(); len(m) != 1 {
		t.Errorf("untranslated address gave %v", m)
	}
}

func TestPortChangingMismatches(t *testing.T) {
	b := Expected(PortChanging)
	b.Local = netip.MustParseAddrPort("10.0.5.2:7401")
	b.TCPLocal = b.Local
	b.UDP[0] = netip.MustParseAddrPort("198.51.100.14:27401")
	b.TCP[0] = b.UDP[0]
	if m := b.Mismatches(); len(m) != 0 {
		t.Errorf("a port-changing NAT that moved the port as promised mismatches: %v", m)
	}
	b.UDP[0] = netip.MustParseAddrPort("198.51.100.14:7401")
	if m := b.Mismatches(); len(m) != 1 {
		t.Errorf("a port-changing NAT that kept the UDP port gave %v, want one mismatch", m)
	}
	b.UDP[0] = netip.MustParseAddrPort("198.51.100.14:27401")
	b.TCPLocal = netip.MustParseAddrPort("10.0.5.2:40000")
	if m := b.Mismatches(); len(m) != 1 {
		t.Errorf("a TCP probe outside the mapped range gave %v, want one mismatch", m)
	}
}
