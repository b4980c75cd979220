package portmap

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
)

// errNotPublic means the router's own WAN address is not a public one: it
// sits behind another NAT, and a mapping on it would not reach us.
var errNotPublic = errors.New("router's external address is not public")

var cgnat = netip.MustParsePrefix("100.64.0.0/10")

// checkPublic accepts an external address that peers on the Internet can reach.
func checkPublic(a netip.Addr) error {
	a = a.Unmap()
	if !a.IsValid() || !a.Is4() || a.IsUnspecified() || a.IsLoopback() || a.IsPrivate() ||
		a.IsLinkLocalUnicast() || a.IsMulticast() || cgnat.Contains(a) ||
		a == netip.AddrFrom4([4]byte{255, 255, 255, 255}) {
		return fmt.Errorf("%w: %s", errNotPublic, a)
	}
	return nil
}

// onLink reports whether a lies in the prefix of one of this host's
// interface addresses, so that talking to it stays on the LAN.
func onLink(a netip.Addr) bool {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, ia := range addrs {
		n, ok := ia.(*net.IPNet)
		if !ok {
			continue
		}
		ip, ok := netip.AddrFromSlice(n.IP)
		if !ok {
			continue
		}
		ones, _ := n.Mask.Size()
		p, err := ip.Unmap().Prefix(ones)
		if err == nil && !ip.IsLoopback() && p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// localAddrTo returns the address this host uses to reach gw, without sending
// anything (a connected UDP socket only picks its route).
func localAddrTo(gw netip.Addr) (netip.Addr, error) {
	c, err := net.DialUDP("udp4", nil, net.UDPAddrFromAddrPort(netip.AddrPortFrom(gw, natpmpPort)))
	if err != nil {
		return netip.Addr{}, fmt.Errorf("route to %s: %w", gw, err)
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).AddrPort().Addr().Unmap(), nil
}
