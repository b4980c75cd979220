//go:build linux

package natlab

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
)

// maxPublicHosts is how many extra public hosts a lab makes at most.
const maxPublicHosts = 20

// AddPublicHost makes another host on the public segment, with no NAT and
// no firewall, holding n addresses (a server with two IPs, say: an RFC
// 5780 STUN server). Its namespace is removed with the lab. Host i's
// addresses are 198.18.2.(10i+1) and up.
func (l *Lab) AddPublicHost(ctx context.Context, name string, n int) (ns string, ips []netip.Addr, err error) {
	if n < 1 || n > 9 {
		return "", nil, fmt.Errorf("natlab: a public host with %d addresses (1 to 9)", n)
	}
	l.mu.Lock()
	i := l.publicHosts
	l.publicHosts++
	l.mu.Unlock()
	if i >= maxPublicHosts {
		return "", nil, fmt.Errorf("natlab: more than %d public hosts", maxPublicHosts)
	}
	for j := range n {
		ips = append(ips, netip.AddrFrom4([4]byte{198, 18, 2, byte(10*i + 1 + j)}))
	}
	ns = l.Prefix + "-p-" + name
	if err := l.addNamespace(ctx, ns); err != nil {
		return "", nil, err
	}
	if err := l.attachWAN(ctx, ns, "eth0", "p"+strconv.Itoa(i), ips[0]); err != nil {
		return "", nil, err
	}
	for _, a := range ips[1:] {
		if err := ip(ctx, "-n", ns, "addr", "add", prefixOf(a, wanBits), "dev", "eth0"); err != nil {
			return "", nil, err
		}
	}
	return ns, ips, nil
}
