package discovery

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// errNoLANInterfaces means no interface can carry LAN beacons right now.
var errNoLANInterfaces = errors.New("no up, non-loopback interface with IPv4 multicast or broadcast")

// lanIface is one interface beacons go out on and come in from.
type lanIface struct {
	ifi        net.Interface
	multicast  bool           // joins the group and sends to it
	broadcasts []netip.Addr   // the IPv4 broadcast address of each of its subnets
	subnets    []netip.Prefix // its IPv4 subnets: beacons are heard only from sources in one
}

// lanInterfaces returns the interfaces that are up, not loopback, not
// point-to-point, and have an IPv4 address, with what each can do; an error
// wrapping errNoLANInterfaces if none can multicast or broadcast.
func lanInterfaces(list func() ([]net.Interface, error)) ([]lanIface, error) {
	ifis, err := list()
	if err != nil {
		return nil, fmt.Errorf("list interfaces: %w", err)
	}
	var out []lanIface
	for _, ifi := range ifis {
		f := ifi.Flags
		// Index 0 is no interface: its Addrs would be every interface's.
		if ifi.Index <= 0 || f&net.FlagUp == 0 || f&net.FlagLoopback != 0 || f&net.FlagPointToPoint != 0 {
			continue
		}
		addrs, err := ifi.Addrs()
		if err != nil {
			continue // gone since it was listed
		}
		prefixes := ipv4Prefixes(addrs)
		if len(prefixes) == 0 {
			continue
		}
		li := lanIface{ifi: ifi, multicast: f&net.FlagMulticast != 0, subnets: prefixes}
		if f&net.FlagBroadcast != 0 {
			for _, p := range prefixes {
				if bc, ok := broadcastAddr(p); ok {
					li.broadcasts = append(li.broadcasts, bc)
				}
			}
		}
		if li.multicast || len(li.broadcasts) > 0 {
			out = append(out, li)
		}
	}
	if len(out) == 0 {
		return nil, errNoLANInterfaces
	}
	return out, nil
}

// ipv4Prefixes returns the IPv4 subnets among an interface's addresses.
func ipv4Prefixes(addrs []net.Addr) []netip.Prefix {
	var out []netip.Prefix
	for _, a := range addrs {
		ipn, ok := a.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(ipn.IP)
		if !ok || !ip.Unmap().Is4() {
			continue
		}
		ones, bits := ipn.Mask.Size()
		if bits != 32 && bits != 128 {
			continue
		}
		if bits == 128 {
			ones -= 96
		}
		if ones < 0 || ones > 32 {
			continue
		}
		out = append(out, netip.PrefixFrom(ip.Unmap(), ones))
	}
	return out
}

// broadcastAddr returns the directed broadcast address of p; /31 and /32
// subnets have none.
func broadcastAddr(p netip.Prefix) (netip.Addr, bool) {
	if !p.Addr().Is4() || p.Bits() > 30 {
		return netip.Addr{}, false
	}
	a := p.Addr().As4()
	host := ^uint32(0) >> p.Bits()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3]) | host
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}
