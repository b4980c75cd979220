//go:build linux

package natlab

import (
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// wanCheckGroup is a multicast group the WAN check sends to (tincan's LAN
// beacon group, on another port).
var wanCheckGroup = netip.MustParseAddrPort("239.255.74.48:17449")

// CheckWAN checks that the public segment behaves like the internet between
// its hosts: unicast passes, IPv4 broadcast and multicast do not. It sends
// from the first site's WAN side to the entry host.
func (l *Lab) CheckWAN() error {
	if len(l.Sites) == 0 {
		return nil
	}
	from := l.Sites[0].Host
	if l.Sites[0].Router != "" {
		from = l.Sites[0].Router
	}
	port := wanCheckGroup.Port()
	var plain, group *net.UDPConn
	err := Do(l.Entry.Host, func() (err error) {
		if plain, err = net.ListenUDP("udp4", &net.UDPAddr{Port: int(port) + 1}); err != nil {
			return err
		}
		ifi, err := net.InterfaceByName("eth0")
		if err != nil {
			return err
		}
		group, err = net.ListenMulticastUDP("udp4", ifi, net.UDPAddrFromAddrPort(wanCheckGroup))
		return err
	})
	if plain != nil {
		defer plain.Close()
	}
	if group != nil {
		defer group.Close()
	}
	if err != nil {
		return fmt.Errorf("WAN check listeners: %w", err)
	}
	sends := []struct {
		msg string
		to  netip.AddrPort
	}{
		{"unicast", netip.AddrPortFrom(l.Entry.HostIP, port+1)},
		{"subnet broadcast", netip.AddrPortFrom(netip.AddrFrom4([4]byte{198, 51, 100, 255}), port+1)},
		{"broadcast", netip.AddrPortFrom(netip.AddrFrom4([4]byte{255, 255, 255, 255}), port+1)},
		{"multicast", wanCheckGroup},
	}
	err = Do(from, func() error {
		c, err := net.ListenUDP("udp4", &net.UDPAddr{})
		if err != nil {
			return err
		}
		defer c.Close()
		for _, s := range sends {
			if _, err := c.WriteToUDPAddrPort([]byte(s.msg), s.to); err != nil {
				return fmt.Errorf("send %s: %w", s.msg, err)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("WAN check from %s: %w", from, err)
	}
	got := receiveAll(plain, unsolicited)
	for m := range receiveAll(group, unsolicited/2) {
		got[m] = true
	}
	if !got["unicast"] {
		return fmt.Errorf("WAN check: unicast from %s did not reach the entry host", from)
	}
	var crossed []string
	for _, m := range []string{"subnet broadcast", "broadcast", "multicast"} {
		if got[m] {
			crossed = append(crossed, m)
		}
	}
	if len(crossed) > 0 {
		return fmt.Errorf("WAN check: %s from %s crossed the public segment", strings.Join(crossed, ", "), from)
	}
	return nil
}
