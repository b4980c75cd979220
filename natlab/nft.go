//go:build linux

package natlab

import (
	"fmt"
	"net/netip"
	"strings"
)

// Interface names inside a router namespace.
const (
	wanIf = "wan"
	lanIf = "lan"
)

// wanFilter keeps the public segment from being one LAN: the internet
// carries no IPv4 broadcast or multicast between sites, so LAN discovery
// must not find a peer across it (ARP still passes).
const wanFilter = `table bridge wan {
  chain forward {
    type filter hook forward priority filter; policy accept;
    meta pkttype { broadcast, multicast } ether type ip drop
  }
}
`

// firewall is every router's stateful firewall: nothing unsolicited comes in
// from the WAN unless a DNAT (forward, cone map, UPnP) sent it to the LAN.
const firewall = `table ip fw {
  chain inbound {
    type filter hook input priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" drop
  }
  chain forwarding {
    type filter hook forward priority filter; policy accept;
    iifname "wan" ct state established,related accept
    iifname "wan" ct status dnat accept
    iifname "wan" drop
  }
}
`

// masquerade is the Linux default NAT: port-preserving where it can,
// endpoint-independent mapping, address+port-dependent filtering.
const masquerade = `table ip nat {
  chain post {
    type nat hook postrouting priority srcnat;
    oifname "wan" masquerade
  }
}
`

// cone makes a full cone (guard false) or address-restricted cone (guard
// true): masquerade, plus a map learnt after translation that DNATs new
// inbound flows on a mapped port back to the client that owns it.
func cone(guard bool) string {
	var b strings.Builder
	b.WriteString(`table ip nat {
  map cone {
    type inet_proto . inet_service : ipv4_addr . inet_service
    flags dynamic,timeout
    timeout 180s
  }
`)
	if guard {
		b.WriteString(`  set peers {
    type inet_service . ipv4_addr
    flags dynamic,timeout
    timeout 180s
  }
`)
	}
	b.WriteString(`  chain post {
    type nat hook postrouting priority srcnat;
    oifname "wan" masquerade
  }
  chain learn {
    type filter hook postrouting priority srcnat + 10; policy accept;
    oifname "wan" meta l4proto { tcp, udp } update @cone { meta l4proto . th sport : ct original ip saddr . ct original proto-src }
`)
	if guard {
		b.WriteString(`    oifname "wan" meta l4proto { tcp, udp } update @peers { th sport . ip daddr }
`)
	}
	b.WriteString(`  }
  chain pre {
    type nat hook prerouting priority dstnat;
`)
	if guard {
		b.WriteString(`    iifname "wan" ct state new th dport . ip saddr @peers meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @cone
`)
	} else {
		b.WriteString(`    iifname "wan" ct state new meta l4proto { tcp, udp } dnat ip to meta l4proto . th dport map @cone
`)
	}
	b.WriteString("  }\n}\n")
	return b.String()
}

// Sequential NAT ports: each new flow takes the next of seqPorts ports from seqBase.
const (
	seqBase  = 40000
	seqPorts = 512
)

// sequential maps each new flow to the next port from seqBase: a map, since a
// bare numgen expression as the port comes out byte-swapped.
func sequential(wan netip.Addr) string {
	var m strings.Builder
	for i := 0; i < seqPorts; i++ {
		if i > 0 {
			m.WriteString(", ")
		}
		fmt.Fprintf(&m, "%d : %d", i, seqBase+i)
	}
	return fmt.Sprintf(`table ip nat {
  chain post {
    type nat hook postrouting priority srcnat;
    oifname "wan" meta l4proto { tcp, udp } snat ip to %s : numgen inc mod %d map { %s }
    oifname "wan" snat ip to %s
  }
}
`, wan, seqPorts, m.String(), wan)
}

// portChanging is the port-changing NAT's ruleset: a static port map over
// PortChangeFirst's range, masquerade fully-random for the rest.
func portChanging(wan netip.Addr) string {
	var m strings.Builder
	for i := 0; i < PortChangeCount; i++ {
		if i > 0 {
			m.WriteString(", ")
		}
		fmt.Fprintf(&m, "%d : %d", PortChangeFirst+i, PortChangeFirst+i+PortChangeShift)
	}
	return fmt.Sprintf(`table ip nat {
  chain post {
    type nat hook postrouting priority srcnat;
    oifname "wan" meta l4proto { tcp, udp } th sport %d-%d snat ip to %s : th sport map { %s }
    oifname "wan" masquerade fully-random
  }
}
`, PortChangeFirst, PortChangeFirst+PortChangeCount-1, wan, m.String())
}

// forward is masquerade plus a fixed port forwarded (TCP and UDP) to the client.
func forward(client netip.Addr, port uint16) string {
	return fmt.Sprintf(`table ip nat {
  chain post {
    type nat hook postrouting priority srcnat;
    oifname "wan" masquerade
  }
  chain pre {
    type nat hook prerouting priority dstnat;
    iifname "wan" tcp dport %d dnat ip to %s:%d
    iifname "wan" udp dport %d dnat ip to %s:%d
  }
}
`, port, client, port, port, client, port)
}

// miniupnpdTables are the chains miniupnpd (nftables build) fills with its
// mappings, under its default names.
const miniupnpdTables = `table inet filter {
  chain forward {
    type filter hook forward priority filter; policy accept;
    jump miniupnpd
  }
  chain miniupnpd {
  }
  chain prerouting {
    type nat hook prerouting priority dstnat; policy accept;
    jump prerouting_miniupnpd
  }
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    jump postrouting_miniupnpd
  }
  chain prerouting_miniupnpd {
  }
  chain postrouting_miniupnpd {
  }
}
`

// ruleset is the whole nftables ruleset of a router of kind k.
func ruleset(k Kind, wan, client netip.Addr, fwdPort uint16) (string, error) {
	var nat string
	switch k {
	case FullCone:
		nat = cone(false)
	case AddressRestricted:
		nat = cone(true)
	case PortRestricted:
		nat = masquerade
	case PortChanging:
		nat = portChanging(wan)
	case SymmetricRandom:
		nat = strings.Replace(masquerade, "masquerade", "masquerade fully-random", 1)
	case SymmetricSequential:
		nat = sequential(wan)
	case PortForward:
		nat = forward(client, fwdPort)
	case UPnP:
		nat = masquerade + miniupnpdTables
	default:
		return "", fmt.Errorf("no router for kind %q", k)
	}
	return firewall + nat, nil
}
