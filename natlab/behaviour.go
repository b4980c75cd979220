package natlab

import (
	"fmt"
	"io"
	"net/netip"
	"strings"
	"text/tabwriter"
)

// Mapping is how a NAT picks the public address of an outgoing flow (RFC 4787).
type Mapping string

// Mappings the probes tell apart.
const (
	MapIndependent Mapping = "endpoint-independent"
	MapSequential  Mapping = "endpoint-dependent, sequential"
	MapRandom      Mapping = "endpoint-dependent, random"
)

// Filtering is which unsolicited packets a NAT lets through to a mapping.
type Filtering string

// Filterings the probes tell apart.
const (
	FilterIndependent Filtering = "endpoint-independent"
	FilterAddress     Filtering = "address-dependent"
	FilterAddressPort Filtering = "address+port-dependent"
)

// Inbound says whether unsolicited UDP and TCP to a fixed public port reach the host.
type Inbound string

// Inbound results.
const (
	InboundOpen   Inbound = "open"
	InboundClosed Inbound = "closed"
	InboundUDP    Inbound = "udp only"
	InboundTCP    Inbound = "tcp only"
)

// Behaviour is what a site's NAT was seen to do, probed with plain sockets.
type Behaviour struct {
	Site       string
	Kind       Kind
	Local      netip.AddrPort    // the UDP probe's own address
	UDP        [2]netip.AddrPort // the UDP probe as the two STUN servers saw it
	TCP        [2]netip.AddrPort // two TCP flows from one local port, as the STUN servers saw them
	TCPLocal   netip.AddrPort    // the TCP flows' own address
	UDPMapping Mapping
	TCPMapping Mapping
	Filtering  Filtering // UDP, to the mapping the first STUN server saw
	Inbound    Inbound   // unsolicited UDP and TCP to the site's public probe port
	InboundVia string    // "", "forward" or "upnp": what opened the port
	Err        error     // a probe that could not run
}

// Expected is the behaviour a kind's name promises (mapping, filtering,
// inbound); the address fields are left empty.
func Expected(k Kind) Behaviour {
	b := Behaviour{Kind: k, UDPMapping: MapIndependent, TCPMapping: MapIndependent,
		Filtering: FilterAddressPort, Inbound: InboundClosed}
	switch k {
	case Public:
		b.Filtering, b.Inbound = FilterIndependent, InboundOpen
	case FullCone:
		b.Filtering = FilterIndependent
	case AddressRestricted:
		b.Filtering = FilterAddress
	case SymmetricRandom:
		b.UDPMapping, b.TCPMapping = MapRandom, MapRandom
	case SymmetricSequential:
		b.UDPMapping, b.TCPMapping = MapSequential, MapSequential
	case PortForward, UPnP:
		b.Inbound = InboundOpen
	}
	return b
}

// Mismatches lists how b differs from what its kind's name promises.
func (b Behaviour) Mismatches() []string {
	if b.Err != nil {
		return []string{"probe failed: " + b.Err.Error()}
	}
	want := Expected(b.Kind)
	var out []string
	check := func(what, got, want string) {
		if got != want {
			out = append(out, fmt.Sprintf("%s is %s, want %s", what, got, want))
		}
	}
	check("UDP mapping", string(b.UDPMapping), string(want.UDPMapping))
	check("TCP mapping", string(b.TCPMapping), string(want.TCPMapping))
	check("UDP filtering", string(b.Filtering), string(want.Filtering))
	check("inbound", string(b.Inbound), string(want.Inbound))
	if b.Kind == PortChanging {
		out = append(out, portChanges("UDP", b.Local, b.UDP[0])...)
		out = append(out, portChanges("TCP", b.TCPLocal, b.TCP[0])...)
	}
	translated := b.UDP[0].Addr() != b.Local.Addr()
	if translated != b.Kind.NATed() {
		out = append(out, fmt.Sprintf("address translated=%v for kind %s", translated, b.Kind))
	}
	return out
}

// portChanges checks that a port-changing NAT mapped local's port in its
// range to the port PortChangeShift above it.
func portChanges(proto string, local, mapped netip.AddrPort) []string {
	p := local.Port()
	if p < PortChangeFirst || p >= PortChangeFirst+PortChangeCount {
		return []string{fmt.Sprintf("%s probe port %d is outside the mapped range %d-%d", proto, p, PortChangeFirst, PortChangeFirst+PortChangeCount-1)}
	}
	if want := p + PortChangeShift; mapped.Port() != want {
		return []string{fmt.Sprintf("%s port %d left as %d, want %d", proto, p, mapped.Port(), want)}
	}
	return nil
}

// classify names the mapping behind two observed public addresses of one local port.
func classify(m1, m2 netip.AddrPort) Mapping {
	switch {
	case m1 == m2:
		return MapIndependent
	case m1.Addr() == m2.Addr() && m2.Port() == m1.Port()+1:
		return MapSequential
	}
	return MapRandom
}

// WriteBehaviours prints the behaviour table, one row per site.
func WriteBehaviours(w io.Writer, bs []Behaviour) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SITE\tKIND\tUDP MAPPING (local -> stun1, stun2)\tTCP MAPPING\tUDP FILTERING\tINBOUND\tAS NAMED")
	for _, b := range bs {
		verdict := "yes"
		if m := b.Mismatches(); len(m) > 0 {
			verdict = "NO: " + strings.Join(m, "; ")
		}
		in := string(b.Inbound)
		if b.InboundVia != "" && b.Inbound != InboundClosed {
			in += " (" + b.InboundVia + ")"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s (%s -> %s, %s)\t%s (%s, %s)\t%s\t%s\t%s\n", b.Site, b.Kind,
			b.UDPMapping, b.Local, b.UDP[0], portOnly(b.UDP[1]),
			b.TCPMapping, b.TCP[0], portOnly(b.TCP[1]), b.Filtering, in, verdict)
	}
	return tw.Flush()
}

func portOnly(a netip.AddrPort) string {
	if !a.IsValid() {
		return "-"
	}
	return fmt.Sprintf(":%d", a.Port())
}
