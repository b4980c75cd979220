//go:build linux

package natlab

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
)

// bridge is the public segment's bridge inside the WAN namespace.
const bridge = "br0"

func (l *Lab) build(ctx context.Context, o Options) error {
	l.WAN = l.Prefix + "-wan"
	if err := l.addNamespace(ctx, l.WAN); err != nil {
		return err
	}
	cmds := [][]string{
		{"-n", l.WAN, "link", "add", bridge, "type", "bridge"},
		{"-n", l.WAN, "link", "set", bridge, "up"},
	}
	for _, a := range []netip.Addr{wanGateway, wanSecond, wanThird} {
		cmds = append(cmds, []string{"-n", l.WAN, "addr", "add", prefixOf(a, wanBits), "dev", bridge})
	}
	if err := ips(ctx, cmds); err != nil {
		return err
	}
	if err := l.nft(ctx, l.WAN, "wan", wanFilter); err != nil {
		return err
	}

	l.Entry = &Site{Name: "entry", Kind: Public, Host: l.Prefix + "-entry", HostIP: wanEntry, WANIP: wanEntry}
	if err := l.addNamespace(ctx, l.Entry.Host); err != nil {
		return err
	}
	if err := l.attachWAN(ctx, l.Entry.Host, "eth0", "e0", wanEntry); err != nil {
		return err
	}

	n := 0
	for _, k := range o.Kinds {
		for j := 0; j < o.SitesPerKind; j++ {
			n++
			s, err := l.addSite(ctx, k, string(rune('a'+j)), n, o.ForwardPort)
			if err != nil {
				return err
			}
			l.Sites = append(l.Sites, s)
		}
	}

	for _, a := range l.STUN {
		srv, err := startSTUN(l.WAN, a, l.log)
		if err != nil {
			return err
		}
		l.mu.Lock()
		l.services = append(l.services, srv)
		l.mu.Unlock()
	}
	for _, s := range l.Sites {
		if s.Kind == UPnP {
			if err := l.startMiniupnpd(ctx, s); err != nil {
				return err
			}
		}
	}
	l.log.Info("lab ready", "sites", len(l.Sites), "namespaces", len(l.Namespaces()))
	return nil
}

// addSite makes site number n (1-based): a host, and a router unless Public.
func (l *Lab) addSite(ctx context.Context, k Kind, letter string, n int, fwd uint16) (*Site, error) {
	name := k.Short() + "-" + letter
	wanIP := netip.AddrFrom4([4]byte{198, 18, byte(siteBase + n - 1), 10})
	s := &Site{Name: name, Kind: k, Host: l.Prefix + "-h-" + name, WANIP: wanIP}
	wanPort := "s" + strconv.Itoa(n)
	if err := l.addNamespace(ctx, s.Host); err != nil {
		return nil, err
	}
	if !k.NATed() {
		s.HostIP = wanIP
		return s, l.attachWAN(ctx, s.Host, "eth0", wanPort, wanIP)
	}
	s.Router = l.Prefix + "-r-" + name
	s.Gateway = netip.AddrFrom4([4]byte{10, 0, byte(n), 1})
	s.HostIP = netip.AddrFrom4([4]byte{10, 0, byte(n), 2})
	if k == PortForward {
		s.Forward = fwd
	}
	if err := l.addNamespace(ctx, s.Router); err != nil {
		return nil, err
	}
	if err := l.attachWAN(ctx, s.Router, wanIf, wanPort, wanIP); err != nil {
		return nil, err
	}
	err := ips(ctx, [][]string{
		{"link", "add", lanIf, "netns", s.Router, "type", "veth", "peer", "name", "eth0", "netns", s.Host},
		{"-n", s.Router, "addr", "add", prefixOf(s.Gateway, lanBits), "dev", lanIf},
		{"-n", s.Router, "link", "set", lanIf, "up"},
		{"-n", s.Host, "addr", "add", prefixOf(s.HostIP, lanBits), "dev", "eth0"},
		{"-n", s.Host, "link", "set", "eth0", "up"},
		{"-n", s.Host, "route", "add", "default", "via", s.Gateway.String()},
	})
	if err != nil {
		return nil, err
	}
	if err := writeSysctl(s.Router, "net.ipv4.ip_forward", "1"); err != nil {
		return nil, err
	}
	rules, err := ruleset(k, wanIP, s.HostIP, fwd)
	if err != nil {
		return nil, err
	}
	if err := l.nft(ctx, s.Router, name, rules); err != nil {
		return nil, err
	}
	return s, nil
}

// nft loads an nftables ruleset into namespace ns.
func (l *Lab) nft(ctx context.Context, ns, name, rules string) error {
	file := filepath.Join(l.Dir, ns+".nft")
	if err := os.WriteFile(file, []byte(rules), 0o600); err != nil {
		return fmt.Errorf("write ruleset for %s: %w", name, err)
	}
	if err := run(ctx, "ip", "netns", "exec", ns, "nft", "-f", file); err != nil {
		return fmt.Errorf("ruleset for %s: %w", name, err)
	}
	return nil
}

// addNamespace creates ns (recorded for Close) with its loopback up.
func (l *Lab) addNamespace(ctx context.Context, ns string) error {
	if err := ip(ctx, "netns", "add", ns); err != nil {
		return err
	}
	l.mu.Lock()
	l.namespaces = append(l.namespaces, ns)
	l.mu.Unlock()
	return ip(ctx, "-n", ns, "link", "set", "lo", "up")
}

// attachWAN links ns to the WAN bridge: ifname inside ns with address a,
// port on the bridge side, and a default route through the WAN namespace.
func (l *Lab) attachWAN(ctx context.Context, ns, ifname, port string, a netip.Addr) error {
	return ips(ctx, [][]string{
		{"link", "add", port, "netns", l.WAN, "type", "veth", "peer", "name", ifname, "netns", ns},
		{"-n", l.WAN, "link", "set", port, "master", bridge, "up"},
		{"-n", ns, "addr", "add", prefixOf(a, wanBits), "dev", ifname},
		{"-n", ns, "link", "set", ifname, "up"},
		{"-n", ns, "route", "add", "default", "via", wanGateway.String()},
	})
}

func ips(ctx context.Context, cmds [][]string) error {
	for _, c := range cmds {
		if err := ip(ctx, c...); err != nil {
			return err
		}
	}
	return nil
}

func prefixOf(a netip.Addr, bits int) string { return netip.PrefixFrom(a, bits).String() }
