package discovery

import "net/netip"

// notGlobal lists the special-purpose ranges (IANA's registries, RFC 6890
// and successors) whose addresses are not reachable across the internet,
// beyond what netip's predicates already tell (loopback, private,
// link-local, multicast, unspecified).
var notGlobal = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),       // "this network"
	netip.MustParsePrefix("100.64.0.0/10"),   // carrier-grade NAT (shared address space)
	netip.MustParsePrefix("192.0.0.0/24"),    // IETF protocol assignments
	netip.MustParsePrefix("192.0.2.0/24"),    // documentation (TEST-NET-1)
	netip.MustParsePrefix("198.18.0.0/15"),   // benchmarking
	netip.MustParsePrefix("198.51.100.0/24"), // documentation (TEST-NET-2)
	netip.MustParsePrefix("203.0.113.0/24"),  // documentation (TEST-NET-3)
	netip.MustParsePrefix("240.0.0.0/4"),     // reserved, and the limited broadcast
	netip.MustParsePrefix("64:ff9b:1::/48"),  // local-use NAT64
	netip.MustParsePrefix("100::/64"),        // discard-only
	netip.MustParsePrefix("2001::/23"),       // IETF protocol assignments (Teredo, ORCHID, ...)
	netip.MustParsePrefix("2001:db8::/32"),   // documentation
	netip.MustParsePrefix("3fff::/20"),       // documentation
	netip.MustParsePrefix("5f00::/16"),       // segment routing SIDs
}

// GloballyRoutable reports whether a is an address anyone on the internet
// could reach: unicast, not private, loopback, link-local, carrier-grade
// NAT, documentation, benchmarking or otherwise reserved.
func GloballyRoutable(a netip.Addr) bool {
	a = a.Unmap()
	if !a.IsValid() || a.Zone() != "" || !a.IsGlobalUnicast() || a.IsPrivate() {
		return false
	}
	for _, p := range notGlobal {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// Publishable reports whether a may be published as an entry point: a
// globally routable address, or one inside a prefix the operator allowed
// on purpose (a private deployment, or a lab whose "internet" is a
// reserved range).
func Publishable(a netip.Addr, allow []netip.Prefix) bool {
	a = a.Unmap()
	if !usableEntryAddr(a) {
		return false
	}
	if GloballyRoutable(a) {
		return true
	}
	for _, p := range allow {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// ObserverNetwork is the network an observer of our address belongs to,
// for telling independent observers apart: its /16 (IPv4) or /32 (IPv6)
// on the internet, and its /24 or /48 inside an allowed prefix, since a
// private deployment or a lab rarely spans several /16s.
func ObserverNetwork(a netip.Addr, allow []netip.Prefix) netip.Prefix {
	a = a.Unmap()
	bits4, bits6 := 16, 32
	for _, p := range allow {
		if p.Contains(a) && !GloballyRoutable(a) {
			bits4, bits6 = 24, 48
		}
	}
	bits := bits6
	if a.Is4() {
		bits = bits4
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return netip.Prefix{}
	}
	return p
}
