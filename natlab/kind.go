package natlab

import (
	"fmt"
	"strings"
)

// Kind is the kind of NAT (or none) in front of a lab client.
type Kind string

// The kinds of NAT the lab builds, in RFC 4787 terms where they have one.
const (
	Public              Kind = "public"               // no NAT, no firewall
	FullCone            Kind = "full-cone"            // EI mapping, EI filtering
	AddressRestricted   Kind = "address-restricted"   // EI mapping, address-dependent filtering
	PortRestricted      Kind = "port-restricted"      // EI mapping, address+port-dependent filtering (Linux default)
	PortChanging        Kind = "port-changing"        // EI mapping to another port (carrier-grade), address+port-dependent filtering
	SymmetricRandom     Kind = "symmetric-random"     // endpoint-dependent mapping, random ports
	SymmetricSequential Kind = "symmetric-sequential" // endpoint-dependent mapping, +1 per new flow
	PortForward         Kind = "port-forward"         // port-restricted, plus a fixed port forwarded to the client
	UPnP                Kind = "upnp"                 // port-restricted, plus miniupnpd for mappings on request
)

// All lists every kind, in the order the matrix shows them.
var All = []Kind{Public, FullCone, AddressRestricted, PortRestricted, PortChanging, SymmetricRandom, SymmetricSequential, PortForward, UPnP}

var shortNames = map[Kind]string{
	Public: "pub", FullCone: "fc", AddressRestricted: "ar", PortRestricted: "pr", PortChanging: "pc",
	SymmetricRandom: "sr", SymmetricSequential: "ss", PortForward: "pf", UPnP: "up",
}

// Short is the kind's two- or three-letter code, used in namespace names.
func (k Kind) Short() string { return shortNames[k] }

// NATed reports whether a router translates the client's addresses.
func (k Kind) NATed() bool { return k != Public }

// ParseKind reads a kind by its name or its short code.
func ParseKind(s string) (Kind, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	for _, k := range All {
		if s == string(k) || s == k.Short() {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown NAT kind %q (want one of %s)", s, kindNames())
}

// ParseKinds reads a comma-separated list of kinds; "" or "all" is every kind.
func ParseKinds(s string) ([]Kind, error) {
	if s = strings.TrimSpace(s); s == "" || s == "all" {
		return append([]Kind(nil), All...), nil
	}
	var out []Kind
	seen := map[Kind]bool{}
	for _, part := range strings.Split(s, ",") {
		k, err := ParseKind(part)
		if err != nil {
			return nil, err
		}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	return out, nil
}

func kindNames() string {
	names := make([]string, len(All))
	for i, k := range All {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// reachable is a kind whose node can be reached at a fixed public port
// without any hole punching: no NAT, a static forward, or a UPnP router that
// maps a port for the asking client.
func (k Kind) reachable() bool { return k == Public || k == PortForward || k == UPnP }

// ExpectDirect reports whether two nodes behind these kinds can reach each
// other directly (by a public port or by hole punching) according to what was
// measured with plain sockets (shared/NATLAB.md): full cone or
// address-restricted with anything, port-restricted with port-restricted, and
// anything with a public or port-forwarded node (UPnP counts as forwarded).
// Port-restricted with symmetric and symmetric with symmetric need a relay.
// A port-changing NAT is a port-restricted cone whose ports are not kept:
// once a node knows its external port, it punches as port-restricted does.
func ExpectDirect(a, b Kind) bool {
	switch {
	case a.reachable() || b.reachable():
		return true
	case a == FullCone || a == AddressRestricted || b == FullCone || b == AddressRestricted:
		return true
	case a.portRestrictedCone() && b.portRestrictedCone():
		return true
	}
	return false
}

// The port-changing NAT maps each source port in [PortChangeFirst,
// PortChangeFirst+PortChangeCount) to that port plus PortChangeShift, to
// every destination (endpoint-independent mapping that does not keep the
// port, as carrier-grade NATs do); every other port goes out fully random.
const (
	PortChangeFirst = 7400
	PortChangeCount = 100
	PortChangeShift = 20000
)

// portChangeProbe is the local port (UDP and TCP) the lab's probes use
// behind a port-changing NAT: inside the mapped range, as a node's is.
const portChangeProbe = PortChangeFirst + 1

// portRestrictedCone is a kind with endpoint-independent mapping and
// address+port-dependent filtering, and no port open to the world.
func (k Kind) portRestrictedCone() bool { return k == PortRestricted || k == PortChanging }
